// Hand-written output-stationary systolic array: the bare baseline for lego's generated GEMM
// arrays (issue 16, item 5). Plain Verilog-2005, one clock, synchronous active-high reset.
//
// Defaults: 8x8 PEs, int8 x int8 -> int32. ROWS, COLS, IN_W and ACC_W are parameters.
//
// Operands are skewed by the host. Step w of a computation (w = 0, 1, ...) is presented as:
//   in_valid / in_clear   in cycle w
//   a_in row r            in cycle w + r  (A[r][k] for the step's k)
//   b_in column c         in cycle w + c  (B[k][c] for the step's k)
// PE (r, c) handles step w in cycle w + 1 + r + c: in_clear sets its accumulator to 0 (the
// step's operands are ignored), otherwise in_valid adds a*b to it, otherwise it holds.
// The control travels along the anti-diagonals in one shift register of ROWS+COLS-1 stages, so
// the PEs hold no control state. An 8x8x16 product: one clear step, 16 valid steps, then the
// last accumulator (PE (ROWS-1, COLS-1)) is final after the edge that ends cycle
// 16 + ROWS + COLS - 1 counted from the clear step.
//
// Read port: rd_data holds, one edge after rd_row/rd_col are presented, the accumulator of PE
// (rd_row, rd_col) as it was in that cycle.

// The file holds the top and its submodules, so one synthesis or simulation source suffices.
/* verilator lint_off DECLFILENAME */

// One processing element: the A operand passes right, the B operand passes down, and the
// accumulator's clear and enable map to the flip-flops' synchronous reset and clock enable.
module os_array_pe #(
    parameter IN_W = 8,
    parameter ACC_W = 32
) (
    input  wire                    clk,
    input  wire                    acc_clear,
    input  wire                    acc_en,
    input  wire signed [IN_W-1:0]  a_in,
    input  wire signed [IN_W-1:0]  b_in,
    output reg  signed [IN_W-1:0]  a_out,
    output reg  signed [IN_W-1:0]  b_out,
    output reg  signed [ACC_W-1:0] acc
);
    wire signed [2*IN_W-1:0] product = a_out * b_out;

    always @(posedge clk) begin
        a_out <= a_in;
        b_out <= b_in;
        if (acc_clear)
            acc <= {ACC_W{1'b0}};
        else if (acc_en)
            acc <= acc + {{(ACC_W-2*IN_W){product[2*IN_W-1]}}, product};
    end
endmodule

// The PE grid and its diagonal control; every accumulator is an output (acc, row-major:
// PE (r, c) at bits [(r*COLS+c)*ACC_W +: ACC_W]).
module os_array_core #(
    parameter ROWS = 8,
    parameter COLS = 8,
    parameter IN_W = 8,
    parameter ACC_W = 32
) (
    input  wire                        clk,
    input  wire                        rst,
    input  wire                        in_valid,
    input  wire                        in_clear,
    input  wire [ROWS*IN_W-1:0]        a_in,
    input  wire [COLS*IN_W-1:0]        b_in,
    output wire [ROWS*COLS*ACC_W-1:0]  acc
);
    localparam DIAG = ROWS + COLS - 1;

    // stage d drives the PEs with r + c == d
    reg [DIAG-1:0] valid_d;
    reg [DIAG-1:0] clear_d;
    always @(posedge clk) begin
        if (rst) begin
            valid_d <= {DIAG{1'b0}};
            clear_d <= {DIAG{1'b0}};
        end else begin
            valid_d <= {valid_d[DIAG-2:0], in_valid};
            clear_d <= {clear_d[DIAG-2:0], in_clear};
        end
    end

    // a_link[r][c] enters PE (r, c) from the left, b_link[r][c] from above
    wire [ROWS*(COLS+1)*IN_W-1:0] a_link;
    wire [(ROWS+1)*COLS*IN_W-1:0] b_link;

    genvar r, c;
    generate
        for (r = 0; r < ROWS; r = r + 1) begin : g_left
            assign a_link[(r*(COLS+1))*IN_W +: IN_W] = a_in[r*IN_W +: IN_W];
        end
        for (c = 0; c < COLS; c = c + 1) begin : g_top
            assign b_link[c*IN_W +: IN_W] = b_in[c*IN_W +: IN_W];
        end
        for (r = 0; r < ROWS; r = r + 1) begin : g_row
            for (c = 0; c < COLS; c = c + 1) begin : g_col
                os_array_pe #(.IN_W(IN_W), .ACC_W(ACC_W)) pe (
                    .clk(clk),
                    .acc_clear(clear_d[r+c]),
                    .acc_en(valid_d[r+c]),
                    .a_in(a_link[(r*(COLS+1)+c)*IN_W +: IN_W]),
                    .b_in(b_link[(r*COLS+c)*IN_W +: IN_W]),
                    .a_out(a_link[(r*(COLS+1)+c+1)*IN_W +: IN_W]),
                    .b_out(b_link[((r+1)*COLS+c)*IN_W +: IN_W]),
                    .acc(acc[(r*COLS+c)*ACC_W +: ACC_W])
                );
            end
        end
    endgenerate

    // the last column's A and the last row's B leave the array unused
    wire [ROWS*IN_W-1:0] unused_a_east;
    wire [COLS*IN_W-1:0] unused_b_south = b_link[ROWS*COLS*IN_W +: COLS*IN_W];
    generate
        for (r = 0; r < ROWS; r = r + 1) begin : g_right
            assign unused_a_east[r*IN_W +: IN_W] = a_link[(r*(COLS+1)+COLS)*IN_W +: IN_W];
        end
    endgenerate
endmodule

// The bare array: the core plus a registered read port.
module os_array_8x8_bare #(
    parameter ROWS = 8,
    parameter COLS = 8,
    parameter IN_W = 8,
    parameter ACC_W = 32,
    parameter ROW_W = (ROWS > 1) ? $clog2(ROWS) : 1,
    parameter COL_W = (COLS > 1) ? $clog2(COLS) : 1
) (
    input  wire                clk,
    input  wire                rst,
    input  wire                in_valid,
    input  wire                in_clear,
    input  wire [ROWS*IN_W-1:0] a_in,
    input  wire [COLS*IN_W-1:0] b_in,
    input  wire [ROW_W-1:0]    rd_row,
    input  wire [COL_W-1:0]    rd_col,
    output reg  [ACC_W-1:0]    rd_data
);
    wire [ROWS*COLS*ACC_W-1:0] acc;

    os_array_core #(.ROWS(ROWS), .COLS(COLS), .IN_W(IN_W), .ACC_W(ACC_W)) core (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_clear(in_clear),
        .a_in(a_in), .b_in(b_in), .acc(acc)
    );

    localparam IDX_W = ROW_W + COL_W;
    wire [IDX_W-1:0] rd_index = {{COL_W{1'b0}}, rd_row} * COLS[IDX_W-1:0] + {{ROW_W{1'b0}}, rd_col};

    always @(posedge clk)
        rd_data <= acc[rd_index*ACC_W +: ACC_W];
endmodule
