// Hand-written output-stationary GEMM accelerator with its operands in on-chip RAM: the
// baseline "with memories" for lego's generated arrays (issue 16, item 5). Plain Verilog-2005,
// one clock, synchronous active-high reset. Needs os_array_8x8_bare.v (os_array_core, the PEs).
//
// It computes C = A * B for A (M x K), B (K x N) int8 and C (M x N) int32 on a ROWS x COLS
// array, as the lego spec `spatial {p: ROWS, q: COLS}, temporal {ti: M/ROWS, tj: N/COLS,
// tk: K}`, i = ROWS*ti + p, j = COLS*tj + q, k = tk. Defaults: 8x8 array, 16x16x16 GEMM.
// ROWS and COLS must be powers of two, M a multiple of ROWS, N a multiple of COLS.
//
// Memories: each bank is os_array_ram (one write port, one synchronously read port), which
// Yosys maps to LUT RAM (DPR16X4) or block RAM (DP16KD).
//   A: bank p = i % ROWS, address (i / ROWS) * K + k    (tensor 0, IN_W bits)
//   B: bank q = j % COLS, address (j / COLS) * K + k    (tensor 1, IN_W bits)
//   C: bank q = j % COLS, address (j / COLS) * M + i    (tensor 2, ACC_W bits)
//
// Host port, used only while busy is low. host_tensor/host_bank/host_addr/host_wdata/host_we
// are registered before they reach a RAM. host_we writes host_wdata (IN_W bits) to A or B one
// edge later (writes to C, to a bank that does not exist, or while busy are ignored). host_rdata is the word
// (A, B or C, zero-extended) addressed HOST_READ_LATENCY = 3 edges earlier.
//
// Control: start (sampled while busy is low) runs the whole GEMM; busy is high from the edge
// after start until the edge that raises done; done stays high until the next start. The
// controller issues one step per cycle: per tile (ti outer, tj inner) a clear step, which also
// drains the previous tile into C, then K multiply-accumulate steps; one last clear step drains
// the last tile. Start to done: 1 + (M/ROWS)*(N/COLS)*(K+1) + ROWS + COLS cycles (85 for the
// defaults).

// The file holds the top and its RAM module, so the two files are the whole design.
/* verilator lint_off DECLFILENAME */

// One bank: write and synchronous read, the read data registered (no output mux, no reset), the
// form Yosys infers as RAM.
module os_array_ram #(
    parameter WIDTH = 8,
    parameter DEPTH = 32,
    parameter ADDR_W = 5
) (
    input  wire              clk,
    input  wire              we,
    input  wire [ADDR_W-1:0] waddr,
    input  wire [WIDTH-1:0]  wdata,
    input  wire [ADDR_W-1:0] raddr,
    output reg  [WIDTH-1:0]  rdata
);
    reg [WIDTH-1:0] mem [0:DEPTH-1];

    always @(posedge clk) begin
        if (we)
            mem[waddr] <= wdata;
        rdata <= mem[raddr];
    end
endmodule

module os_array_8x8_bram #(
    parameter ROWS = 8,
    parameter COLS = 8,
    parameter IN_W = 8,
    parameter ACC_W = 32,
    parameter M = 16,
    parameter N = 16,
    parameter K = 16,
    // derived; not meant to be overridden
    parameter A_DEPTH = (M / ROWS) * K,
    parameter B_DEPTH = (N / COLS) * K,
    parameter C_DEPTH = (N / COLS) * M,
    parameter MAX_DEPTH = (A_DEPTH > B_DEPTH ? (A_DEPTH > C_DEPTH ? A_DEPTH : C_DEPTH)
                                             : (B_DEPTH > C_DEPTH ? B_DEPTH : C_DEPTH)),
    parameter ADDR_W = (MAX_DEPTH > 1) ? $clog2(MAX_DEPTH) : 1,
    parameter BANKS = (ROWS > COLS) ? ROWS : COLS,
    parameter BANK_W = (BANKS > 1) ? $clog2(BANKS) : 1
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              start,
    output wire              busy,
    output reg               done,
    input  wire [1:0]        host_tensor,
    input  wire [BANK_W-1:0] host_bank,
    input  wire [ADDR_W-1:0] host_addr,
    input  wire [IN_W-1:0]   host_wdata,
    input  wire              host_we,
    output reg  [ACC_W-1:0]  host_rdata
);
    localparam TI = M / ROWS;
    localparam TJ = N / COLS;
    localparam DIAG = ROWS + COLS - 1;
    // counters and address arithmetic are ADDR_W bits wide; with powers of two the products
    // below are shifts and the ORs concatenations
    localparam [ADDR_W-1:0] K_A = K;
    localparam [ADDR_W-1:0] K_LAST = K - 1;
    localparam [ADDR_W-1:0] TI_LAST = TI - 1;
    localparam [ADDR_W-1:0] TJ_LAST = TJ - 1;
    localparam [ADDR_W-1:0] TI_A = TI;
    localparam [ADDR_W-1:0] ROWS_A = ROWS;
    // the last C write (PE (ROWS-1, COLS-1) of the last tile) is on the edge that ends the first
    // cycle of done: a host read issued then reaches the RAM one edge after that write
    localparam WAIT_W = $clog2(ROWS + COLS - 1);
    localparam [WAIT_W-1:0] WAIT = ROWS + COLS - 2;

    localparam [1:0] TENSOR_A = 2'd0, TENSOR_B = 2'd1, TENSOR_C = 2'd2;

    // ---------------------------------------------------------------- host port, registered
    reg [1:0]        host_tensor_q;
    reg [BANK_W-1:0] host_bank_q;
    reg [ADDR_W-1:0] host_addr_q;
    reg [IN_W-1:0]   host_wdata_q;
    reg              host_we_q;
    always @(posedge clk) begin
        host_tensor_q <= host_tensor;
        host_bank_q <= host_bank;
        host_addr_q <= host_addr;
        host_wdata_q <= host_wdata;
        host_we_q <= host_we;
    end

    // ---------------------------------------------------------------- controller
    // A step is a clear step (clear_step) or the multiply-accumulate of (ti, tj, k).
    reg              running;
    reg              draining;
    reg [WAIT_W-1:0] wait_count;
    reg              clear_step;
    reg              final_step;   // the clear step after the last tile
    reg              have_tile;    // a finished tile waits to be drained
    reg [ADDR_W-1:0] k;
    reg [ADDR_W-1:0] ti;
    reg [ADDR_W-1:0] tj;
    reg [ADDR_W-1:0] drain_tile;   // C address / ROWS of the finished tile: tj * TI + ti

    assign busy = running | draining;

    wire last_k = (k == K_LAST);
    wire last_ti = (ti == TI_LAST);
    wire last_tj = (tj == TJ_LAST);

    always @(posedge clk) begin
        if (rst) begin
            running <= 1'b0;
            draining <= 1'b0;
            done <= 1'b0;
        end else if (start && !busy) begin
            running <= 1'b1;
            done <= 1'b0;
        end else if (running && clear_step && final_step) begin
            running <= 1'b0;
            draining <= 1'b1;
        end else if (draining && wait_count == 0) begin
            draining <= 1'b0;
            done <= 1'b1;
        end
    end

    always @(posedge clk) begin
        if (start && !busy) begin
            clear_step <= 1'b1;
            final_step <= 1'b0;
            have_tile <= 1'b0;
            k <= {ADDR_W{1'b0}};
            ti <= {ADDR_W{1'b0}};
            tj <= {ADDR_W{1'b0}};
            wait_count <= WAIT;
        end else if (running) begin
            if (clear_step) begin
                clear_step <= 1'b0;
            end else if (last_k) begin
                k <= {ADDR_W{1'b0}};
                clear_step <= 1'b1;
                have_tile <= 1'b1;
                drain_tile <= tj * TI_A | ti;
                if (last_tj) begin
                    tj <= {ADDR_W{1'b0}};
                    if (last_ti)
                        final_step <= 1'b1;
                    else
                        ti <= ti + 1'b1;
                end else begin
                    tj <= tj + 1'b1;
                end
            end else begin
                k <= k + 1'b1;
            end
        end else if (draining) begin
            wait_count <= wait_count - 1'b1;
        end
    end

    // the step's read addresses go to row 0 / column 0 now and to row r / column c r / c
    // cycles later; its control enters the array with the RAMs' read data one edge later
    wire [ADDR_W-1:0] a_step_addr = ti * K_A | k;
    wire [ADDR_W-1:0] b_step_addr = tj * K_A | k;
    reg               step_mac_q;
    reg               step_clear_q;
    reg               step_drain_q;
    reg  [ADDR_W-1:0] step_tile_q;
    always @(posedge clk) begin
        if (rst) begin
            step_mac_q <= 1'b0;
            step_clear_q <= 1'b0;
            step_drain_q <= 1'b0;
        end else begin
            step_mac_q <= running & ~clear_step;
            step_clear_q <= running & clear_step;
            step_drain_q <= running & clear_step & have_tile;
        end
        step_tile_q <= drain_tile;
    end

    // ---------------------------------------------------------------- A and B feed
    wire [ROWS*ADDR_W-1:0] a_addr_skew;
    wire [COLS*ADDR_W-1:0] b_addr_skew;
    wire [ROWS*IN_W-1:0]   a_rdata;
    wire [COLS*IN_W-1:0]   b_rdata;
    assign a_addr_skew[ADDR_W-1:0] = a_step_addr;
    assign b_addr_skew[ADDR_W-1:0] = b_step_addr;

    genvar r, c;
    generate
        for (r = 0; r < ROWS; r = r + 1) begin : g_a
            if (r > 0) begin : g_skew
                reg [ADDR_W-1:0] addr_q;
                always @(posedge clk)
                    addr_q <= a_addr_skew[(r-1)*ADDR_W +: ADDR_W];
                assign a_addr_skew[r*ADDR_W +: ADDR_W] = addr_q;
            end
            os_array_ram #(.WIDTH(IN_W), .DEPTH(A_DEPTH), .ADDR_W(ADDR_W)) bank (
                .clk(clk),
                .we(host_we_q & ~busy & (host_tensor_q == TENSOR_A) & (host_bank_q == r[BANK_W-1:0])),
                .waddr(host_addr_q),
                .wdata(host_wdata_q),
                .raddr(busy ? a_addr_skew[r*ADDR_W +: ADDR_W] : host_addr_q),
                .rdata(a_rdata[r*IN_W +: IN_W])
            );
        end
        for (c = 0; c < COLS; c = c + 1) begin : g_b
            if (c > 0) begin : g_skew
                reg [ADDR_W-1:0] addr_q;
                always @(posedge clk)
                    addr_q <= b_addr_skew[(c-1)*ADDR_W +: ADDR_W];
                assign b_addr_skew[c*ADDR_W +: ADDR_W] = addr_q;
            end
            os_array_ram #(.WIDTH(IN_W), .DEPTH(B_DEPTH), .ADDR_W(ADDR_W)) bank (
                .clk(clk),
                .we(host_we_q & ~busy & (host_tensor_q == TENSOR_B) & (host_bank_q == c[BANK_W-1:0])),
                .waddr(host_addr_q),
                .wdata(host_wdata_q),
                .raddr(busy ? b_addr_skew[c*ADDR_W +: ADDR_W] : host_addr_q),
                .rdata(b_rdata[c*IN_W +: IN_W])
            );
        end
    endgenerate

    // ---------------------------------------------------------------- the array
    wire [ROWS*COLS*ACC_W-1:0] acc;
    os_array_core #(.ROWS(ROWS), .COLS(COLS), .IN_W(IN_W), .ACC_W(ACC_W)) core (
        .clk(clk), .rst(rst), .in_valid(step_mac_q), .in_clear(step_clear_q),
        .a_in(a_rdata), .b_in(b_rdata), .acc(acc)
    );

    // The drain travels with the clear along the anti-diagonals, like the core's control: PE
    // (r, c) holds its finished sum in the cycle its clear arrives, and column c meets the
    // rows one per cycle, so each column writes its C bank once a cycle, row 0 first.
    reg [DIAG-1:0]        drain_d;
    reg [DIAG*ADDR_W-1:0] tile_d;
    always @(posedge clk) begin
        if (rst)
            drain_d <= {DIAG{1'b0}};
        else
            drain_d <= {drain_d[DIAG-2:0], step_drain_q};
        tile_d <= {tile_d[(DIAG-1)*ADDR_W-1:0], step_tile_q};
    end

    wire [COLS*ACC_W-1:0] c_rdata;
    generate
        for (c = 0; c < COLS; c = c + 1) begin : g_c
            reg              c_we;
            reg [ADDR_W-1:0] c_row;
            reg [ADDR_W-1:0] c_tile;
            reg [ACC_W-1:0]  c_wdata;
            integer row;
            always @* begin
                c_we = 1'b0;
                c_row = {ADDR_W{1'b0}};
                c_tile = {ADDR_W{1'b0}};
                c_wdata = {ACC_W{1'b0}};
                for (row = 0; row < ROWS; row = row + 1) begin
                    if (drain_d[row + c]) begin
                        c_we = 1'b1;
                        c_row = c_row | row[ADDR_W-1:0];
                        c_tile = c_tile | tile_d[(row + c)*ADDR_W +: ADDR_W];
                        c_wdata = c_wdata | acc[(row*COLS + c)*ACC_W +: ACC_W];
                    end
                end
            end
            os_array_ram #(.WIDTH(ACC_W), .DEPTH(C_DEPTH), .ADDR_W(ADDR_W)) bank (
                .clk(clk),
                .we(c_we),
                .waddr(c_tile * ROWS_A | c_row),
                .wdata(c_wdata),
                .raddr(host_addr_q),
                .rdata(c_rdata[c*ACC_W +: ACC_W])
            );
        end
    endgenerate

    // ---------------------------------------------------------------- host read-back
    // the bank select follows the address by one edge, to meet the RAMs' registered data
    reg [1:0]        read_tensor_q;
    reg [BANK_W-1:0] read_bank_q;
    always @(posedge clk) begin
        read_tensor_q <= host_tensor_q;
        read_bank_q <= host_bank_q;
        case (read_tensor_q)
            TENSOR_A: host_rdata <= {{(ACC_W-IN_W){1'b0}}, a_rdata[read_bank_q*IN_W +: IN_W]};
            TENSOR_B: host_rdata <= {{(ACC_W-IN_W){1'b0}}, b_rdata[read_bank_q*IN_W +: IN_W]};
            TENSOR_C: host_rdata <= c_rdata[read_bank_q*ACC_W +: ACC_W];
            default:  host_rdata <= {ACC_W{1'b0}};
        endcase
    end
endmodule
