// Hand-written fused output-stationary + weight-stationary GEMM accelerator with its operands in
// on-chip RAM: the baseline for lego's fused OS+WS arrays (issue 16), to be compared with
// os_array_8x8_bram (the same designer's OS-only array). Plain Verilog-2005, one clock,
// synchronous active-high reset. The file is the whole design.
//
// It computes C = A * B for A (M x K), B (K x N) int8 and C (M x N) int32 (wrapping) on a
// ROWS x COLS array in one of two lego dataflows, chosen by `dataflow` when `start` is sampled:
//   OS (0): spatial {p: ROWS, q: COLS}, temporal {ti: M/ROWS, tj: N/COLS, tk: K},
//           i = ROWS*ti + p, j = COLS*tj + q, k = tk    (exactly os_array_8x8_bram's)
//   WS (1): spatial {p: ROWS, q: COLS}, temporal {tk: K/ROWS, tj: N/COLS, ti: M},
//           i = ti, j = COLS*tj + q, k = ROWS*tk + p
// Defaults: 8x8 array, 16x16x16 GEMM. ROWS, COLS, M, N and K must be powers of two, at least
// 2, with M, K multiples of ROWS and N a multiple of COLS; 2*IN_W + log2(ROWS) < ACC_W.
//
// Memories: each bank is os_ws_array_ram (one write port, one synchronously read port).
//   A: OS: bank p = i % ROWS, address (i / ROWS) * K + k    (tensor 0, IN_W bits)
//      WS: bank p = k % ROWS, address (k / ROWS) * M + i    (the host writes A in the layout
//          of the dataflow it runs next)
//   B: bank q = j % COLS, address (j / COLS) * K + k        (tensor 1, IN_W bits, both)
//   C: bank q = j % COLS, address (j / COLS) * M + i        (tensor 2, ACC_W bits, both)
//
// Host port: as os_array_8x8_bram's (registered requests, A/B writes only while busy is low,
// host_rdata 3 edges after the address). Control: start (sampled while busy is low, together
// with dataflow) runs the whole GEMM; busy is high from the edge after start until the edge
// that raises done; done stays high until the next start. C needs no clearing by the host.
//
// One step per cycle. OS: per tile (ti outer, tj inner) a clear step, which also drains the
// previous tile into C, then K multiply-accumulate steps; a final clear step drains the last
// tile. Start to done: 1 + (M/ROWS)*(N/COLS)*(K+1) + ROWS + COLS (85 for the defaults).
// WS: per weight tile (tk outer, tj inner) ROWS steps preload the weights down the B chain
// (the last of them is also the tile's first compute step), then M-1 more compute steps (one
// row i of A each); the bottom row writes C, the first tk pass the sum, later passes the sum
// plus the stored word. Start to done: 1 + (K/ROWS)*(N/COLS)*(ROWS-1+M) + ROWS + COLS (109).

/* verilator lint_off DECLFILENAME */

// One bank: write and synchronous read; the read register clears instead of reading when
// rzero is high (a flip-flop synchronous reset: the first write of a C word adds zero).
module os_ws_array_ram #(
    parameter WIDTH = 8,
    parameter DEPTH = 32,
    parameter ADDR_W = 5
) (
    input  wire              clk,
    input  wire              we,
    input  wire [ADDR_W-1:0] waddr,
    input  wire [WIDTH-1:0]  wdata,
    input  wire [ADDR_W-1:0] raddr,
    input  wire              rzero,
    output reg  [WIDTH-1:0]  rdata
);
    reg [WIDTH-1:0] mem [0:DEPTH-1];

    always @(posedge clk) begin
        if (we)
            mem[waddr] <= wdata;
        if (rzero)
            rdata <= {WIDTH{1'b0}};
        else
            rdata <= mem[raddr];
    end
endmodule

// One processing element for both dataflows: one adder, whose other operand is the PE's own
// accumulator (OS) or the partial sum from the PE above (WS). A partial sum of this row fits in
// PSUM_W signed bits, so only those bits are muxed: the accumulator's upper bits are don't-care
// in WS (the low PSUM_W bits of a sum depend only on the operands' low PSUM_W bits), and the
// bottom row's sum is sign-extended from PSUM_W bits where it is written to C. A passes right
// in both; B passes down on b_en (OS: every cycle; WS: while the weights are preloaded).
module os_ws_array_pe #(
    parameter IN_W = 8,
    parameter ACC_W = 32,
    parameter PSUM_W = 19
) (
    input  wire                    clk,
    input  wire                    ws,
    input  wire                    acc_clear,
    input  wire                    acc_en,
    input  wire                    b_en,
    input  wire signed [IN_W-1:0]  a_in,
    input  wire signed [IN_W-1:0]  b_in,
    input  wire [PSUM_W-1:0]       psum_in,
    output reg  signed [IN_W-1:0]  a_out,
    output reg  signed [IN_W-1:0]  b_out,
    output reg  [ACC_W-1:0]        acc
);
    wire signed [2*IN_W-1:0] product = a_out * b_out;
    wire [ACC_W-1:0] addend = {acc[ACC_W-1:PSUM_W], ws ? psum_in : acc[PSUM_W-1:0]};

    always @(posedge clk) begin
        a_out <= a_in;
        if (b_en)
            b_out <= b_in;
        if (acc_clear)
            acc <= {ACC_W{1'b0}};
        else if (acc_en)
            acc <= addend + {{(ACC_W-2*IN_W){product[2*IN_W-1]}}, product};
    end
endmodule

// The PE grid and its diagonal control. Step w presents in_valid / in_clear / in_shift in
// cycle w, row r's A in cycle w + r and column c's B in cycle w + c; PE (r, c) computes step w
// in cycle w + 1 + r + c (in_clear zeroes its accumulator, in_valid adds the product to its own
// accumulator (OS) or to the partial sum of PE (r-1, c), which computed step w a cycle earlier
// (WS)). B: in cycle t PE (r, c) takes the B from above (column c's b_in for row 0) when steps
// t - c and t - c - r were both shift steps: a run of ROWS shift steps leaves in PE (r, c) the
// (ROWS-1-r)-th B of the run, and row r starts shifting only when the step before the run
// has passed it, so a preload may directly follow the previous tile's last compute step.
module os_ws_array_core #(
    parameter ROWS = 8,
    parameter COLS = 8,
    parameter IN_W = 8,
    parameter ACC_W = 32
) (
    input  wire                        clk,
    input  wire                        rst,
    input  wire                        ws,
    input  wire                        in_valid,
    input  wire                        in_clear,
    input  wire                        in_shift,
    input  wire [ROWS*IN_W-1:0]        a_in,
    input  wire [COLS*IN_W-1:0]        b_in,
    output wire [ROWS*COLS*ACC_W-1:0]  acc,
    output wire [COLS-1:0]             bottom_valid  // PE (ROWS-1, c) computes in this cycle
);
    localparam DIAG = ROWS + COLS - 1;

    // stage d drives the PEs with r + c == d
    reg  [DIAG-1:0] valid_d;
    reg  [DIAG-1:0] clear_d;
    wire [DIAG-1:0] shift_d;   // stage d: in_shift d cycles ago
    reg  [DIAG-2:0] shift_q;
    always @(posedge clk) begin
        if (rst) begin
            valid_d <= {DIAG{1'b0}};
            clear_d <= {DIAG{1'b0}};
        end else begin
            valid_d <= {valid_d[DIAG-2:0], in_valid};
            clear_d <= {clear_d[DIAG-2:0], in_clear};
        end
        shift_q <= shift_d[DIAG-2:0];
    end
    assign shift_d = {shift_q, in_shift};
    assign bottom_valid = valid_d[ROWS-1 +: COLS];

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
            // a partial sum of rows 0..r: r+1 products of at most 2^(2*IN_W-2) in magnitude
            localparam PSUM_W = 2*IN_W + $clog2(r + 1);
            localparam ABOVE_W = 2*IN_W + $clog2(r > 0 ? r : 1);
            for (c = 0; c < COLS; c = c + 1) begin : g_col
                wire [PSUM_W-1:0] psum_in;
                if (r == 0) begin : g_top_row
                    assign psum_in = {PSUM_W{1'b0}};
                end else begin : g_below
                    wire [ABOVE_W-1:0] above = acc[((r-1)*COLS + c)*ACC_W +: ABOVE_W];
                    assign psum_in = {{(PSUM_W-ABOVE_W){above[ABOVE_W-1]}}, above};
                end
                os_ws_array_pe #(.IN_W(IN_W), .ACC_W(ACC_W), .PSUM_W(PSUM_W)) pe (
                    .clk(clk),
                    .ws(ws),
                    .acc_clear(clear_d[r+c]),
                    .acc_en(valid_d[r+c]),
                    .b_en(shift_d[c] & shift_d[r+c]),
                    .a_in(a_link[(r*(COLS+1)+c)*IN_W +: IN_W]),
                    .b_in(b_link[(r*COLS+c)*IN_W +: IN_W]),
                    .psum_in(psum_in),
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

module os_ws_array_8x8_bram #(
    parameter ROWS = 8,
    parameter COLS = 8,
    parameter IN_W = 8,
    parameter ACC_W = 32,
    parameter M = 16,
    parameter N = 16,
    parameter K = 16,
    // derived; not meant to be overridden
    parameter A_DEPTH = (M / ROWS) * K,   // the same in both layouts
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
    input  wire              dataflow,   // 0: OS, 1: WS; sampled with start
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
    localparam TK = K / ROWS;
    localparam DIAG = ROWS + COLS - 1;
    localparam PSUM_W = 2*IN_W + $clog2(ROWS);   // the bottom row's WS sums
    localparam ROW_W = $clog2(ROWS);
    localparam I_W = $clog2(M);
    localparam [ADDR_W-1:0] K_A = K;
    localparam [ADDR_W-1:0] M_A = M;
    localparam [ADDR_W-1:0] K_LAST = K - 1;
    localparam [ADDR_W-1:0] TI_LAST = TI - 1;
    localparam [ADDR_W-1:0] TJ_LAST = TJ - 1;
    localparam [ADDR_W-1:0] TK_LAST = TK - 1;
    localparam [ADDR_W-1:0] TI_A = TI;
    localparam [ADDR_W-1:0] ROWS_A = ROWS;
    localparam [ADDR_W-1:0] ROWS_LAST = ROWS - 1;
    // WS phase within a weight tile: -(ROWS-1) .. 0 preload (0 also computes row 0), 0 .. M-1
    // compute row i = phase
    localparam PH_W = (I_W > ROW_W ? I_W : ROW_W) + 1;
    localparam [PH_W-1:0] PHASE_FIRST = (1 << PH_W) - (ROWS - 1);
    localparam [PH_W-1:0] PHASE_LAST = M - 1;
    // from the last step to done: the last C write (column COLS-1's, of the final clear step
    // in OS, of the last compute step in WS) is on the edge that ends the first cycle of done
    localparam WAIT_W = $clog2(ROWS + COLS);
    localparam [WAIT_W-1:0] WAIT_OS = ROWS + COLS - 2;
    localparam [WAIT_W-1:0] WAIT_WS = ROWS + COLS - 1;

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
    reg              ws;           // the run's dataflow
    reg              running;
    reg              draining;
    reg [WAIT_W-1:0] wait_count;
    // OS: a step is a clear step (clear_step) or the multiply-accumulate of (ti, tj, k)
    reg              clear_step;
    reg              final_step;   // the clear step after the last tile
    reg              have_tile;    // a finished tile waits to be drained
    reg [ADDR_W-1:0] k;
    reg [ADDR_W-1:0] ti;
    reg [ADDR_W-1:0] drain_tile;   // C address / ROWS of the finished tile: tj * TI + ti
    // WS: a step of weight tile (tk, tj) at phase
    reg [PH_W-1:0]   phase;
    reg [ADDR_W-1:0] tk;
    reg [ADDR_W-1:0] tj;           // both

    assign busy = running | draining;

    wire last_k = (k == K_LAST);
    wire last_ti = (ti == TI_LAST);
    wire last_tj = (tj == TJ_LAST);
    wire last_tk = (tk == TK_LAST);
    wire last_phase = (phase == PHASE_LAST);
    wire ws_load = phase[PH_W-1] | (phase == {PH_W{1'b0}});
    wire ws_compute = ~phase[PH_W-1];
    wire last_step = ws ? last_phase & last_tj & last_tk : clear_step & final_step;

    always @(posedge clk) begin
        if (rst) begin
            ws <= 1'b0;
            running <= 1'b0;
            draining <= 1'b0;
            done <= 1'b0;
        end else if (start && !busy) begin
            ws <= dataflow;
            running <= 1'b1;
            done <= 1'b0;
        end else if (running && last_step) begin
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
            phase <= PHASE_FIRST;
            tk <= {ADDR_W{1'b0}};
            wait_count <= dataflow ? WAIT_WS : WAIT_OS;
        end else if (running && ws) begin
            if (last_phase) begin
                phase <= PHASE_FIRST;
                if (last_tj) begin
                    tj <= {ADDR_W{1'b0}};
                    tk <= tk + 1'b1;
                end else begin
                    tj <= tj + 1'b1;
                end
            end else begin
                phase <= phase + 1'b1;
            end
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

    // The step's read addresses go to row 0 / column 0 now and to row r / column c r / c
    // cycles later; its control enters the array with the RAMs' read data one edge later.
    // The WS preload step at phase brings B[ROWS*tk - phase][COLS*tj + c] to column c: row
    // ROWS-1's weight first, row 0's last.
    wire [ROW_W-1:0]  ws_b_off = -phase[ROW_W-1:0];
    wire [ADDR_W-1:0] ws_row = {{(ADDR_W-I_W){1'b0}}, phase[I_W-1:0]};
    wire [ADDR_W-1:0] ws_b_row = {{(ADDR_W-ROW_W){1'b0}}, ws_b_off};
    wire [ADDR_W-1:0] a_step_addr = ws ? tk * M_A | ws_row : ti * K_A | k;
    wire [ADDR_W-1:0] b_step_addr = ws ? tj * K_A | tk * ROWS_A | ws_b_row : tj * K_A | k;
    reg               step_mac_q;
    reg               step_clear_q;
    reg               step_drain_q;
    reg               step_shift_q;
    reg               step_accum_q;  // WS: a later tk pass, which adds the stored C word
    reg  [ADDR_W-1:0] step_tile_q;   // OS: the tile to drain; WS: the C address tj * M + i
    always @(posedge clk) begin
        if (rst) begin
            step_mac_q <= 1'b0;
            step_clear_q <= 1'b0;
            step_drain_q <= 1'b0;
        end else begin
            step_mac_q <= running & (ws ? ws_compute : ~clear_step);
            step_clear_q <= running & ~ws & clear_step;
            step_drain_q <= running & ~ws & clear_step & have_tile;
        end
        // OS streams B every cycle; WS shifts it only on preload steps, holding it otherwise
        step_shift_q <= ~ws | (running & ws_load);
        step_accum_q <= tk != {ADDR_W{1'b0}};
        step_tile_q <= ws ? tj * M_A | ws_row : drain_tile;
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
            os_ws_array_ram #(.WIDTH(IN_W), .DEPTH(A_DEPTH), .ADDR_W(ADDR_W)) bank (
                .clk(clk),
                .we(host_we_q & ~busy & (host_tensor_q == TENSOR_A) & (host_bank_q == r[BANK_W-1:0])),
                .waddr(host_addr_q),
                .wdata(host_wdata_q),
                .raddr(busy ? a_addr_skew[r*ADDR_W +: ADDR_W] : host_addr_q),
                .rzero(1'b0),
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
            os_ws_array_ram #(.WIDTH(IN_W), .DEPTH(B_DEPTH), .ADDR_W(ADDR_W)) bank (
                .clk(clk),
                .we(host_we_q & ~busy & (host_tensor_q == TENSOR_B) & (host_bank_q == c[BANK_W-1:0])),
                .waddr(host_addr_q),
                .wdata(host_wdata_q),
                .raddr(busy ? b_addr_skew[c*ADDR_W +: ADDR_W] : host_addr_q),
                .rzero(1'b0),
                .rdata(b_rdata[c*IN_W +: IN_W])
            );
        end
    endgenerate

    // ---------------------------------------------------------------- the array
    wire [ROWS*COLS*ACC_W-1:0] acc;
    wire [COLS-1:0]            bottom_valid;
    os_ws_array_core #(.ROWS(ROWS), .COLS(COLS), .IN_W(IN_W), .ACC_W(ACC_W)) core (
        .clk(clk), .rst(rst), .ws(ws), .in_valid(step_mac_q), .in_clear(step_clear_q),
        .in_shift(step_shift_q), .a_in(a_rdata), .b_in(b_rdata), .acc(acc),
        .bottom_valid(bottom_valid)
    );

    // ---------------------------------------------------------------- C
    // Stage d of the diagonals below belongs to the step issued d + 2 cycles earlier, as does
    // the core's stage d. OS: the drain travels with the clear along the anti-diagonals: PE
    // (r, c) holds its finished sum in the cycle its clear arrives (stage r + c), and column c
    // meets the rows one per cycle, so each column writes its C bank once a cycle, row 0 first.
    // WS: PE (ROWS-1, c) computes step s at stage ROWS-1+c, when column c reads the stored
    // word (or clears its read register, on the first tk pass), and writes the sum a cycle
    // later (stage ROWS+c).
    reg [DIAG-1:0]          drain_d;
    reg [DIAG-1:0]          accum_d;
    reg [(DIAG+1)*ADDR_W-1:0] tile_d;
    reg [COLS-1:0]          ws_write;
    reg [COLS-1:0]          take_bottom;   // drain_d[ROWS-1 + c] | ws_write[c]
    always @(posedge clk) begin
        if (rst)
            drain_d <= {DIAG{1'b0}};
        else
            drain_d <= {drain_d[DIAG-2:0], step_drain_q};
        accum_d <= {accum_d[DIAG-2:0], step_accum_q};
        tile_d <= {tile_d[DIAG*ADDR_W-1:0], step_tile_q};
        ws_write <= ws ? bottom_valid : {COLS{1'b0}};
        // row ROWS-1's select of the drain, registered so that it stays one signal (an OR at
        // its use is folded into every bit's select: 300 LUT4 more)
        take_bottom <= drain_d[ROWS-2 +: COLS] | (ws ? bottom_valid : {COLS{1'b0}});
    end

    wire [COLS*ACC_W-1:0] c_rdata;
    generate
        for (c = 0; c < COLS; c = c + 1) begin : g_c
            // WS takes the bottom row's sum through row ROWS-1's term of the drain select,
            // sign-extended from PSUM_W bits (the accumulator's upper bits are don't-care)
            wire [ACC_W-1:0] bottom = acc[((ROWS-1)*COLS + c)*ACC_W +: ACC_W];
            wire [ACC_W-1:0] bottom_sum = {ws_write[c] ? {(ACC_W-PSUM_W){bottom[PSUM_W-1]}}
                                                       : bottom[ACC_W-1:PSUM_W],
                                           bottom[PSUM_W-1:0]};
            reg               c_we;
            reg  [ADDR_W-1:0] c_row;
            reg  [ADDR_W-1:0] c_tile;
            reg  [ACC_W-1:0]  c_sum;
            integer row;
            always @* begin
                c_we = ws_write[c];
                c_row = {ADDR_W{1'b0}};
                c_tile = {ADDR_W{1'b0}};
                c_sum = {ACC_W{1'b0}};
                for (row = 0; row < ROWS - 1; row = row + 1) begin
                    if (drain_d[row + c]) begin
                        c_we = 1'b1;
                        c_row = c_row | row[ADDR_W-1:0];
                        c_tile = c_tile | tile_d[(row + c)*ADDR_W +: ADDR_W];
                        c_sum = c_sum | acc[(row*COLS + c)*ACC_W +: ACC_W];
                    end
                end
                if (drain_d[ROWS-1 + c]) begin
                    c_we = 1'b1;
                    c_row = c_row | ROWS_LAST;
                    c_tile = c_tile | tile_d[(ROWS-1 + c)*ADDR_W +: ADDR_W];
                end
                if (take_bottom[c])
                    c_sum = c_sum | bottom_sum;
            end
            wire [ADDR_W-1:0] c_ws_addr = ws_write[c] ? tile_d[(ROWS+c)*ADDR_W +: ADDR_W]
                                                      : {ADDR_W{1'b0}};
            // the read register holds the stored word for a WS accumulation, zero otherwise
            // while busy (OS drains, first tk pass), and the host's word when idle
            wire [ACC_W-1:0] stored = c_rdata[c*ACC_W +: ACC_W];
            os_ws_array_ram #(.WIDTH(ACC_W), .DEPTH(C_DEPTH), .ADDR_W(ADDR_W)) bank (
                .clk(clk),
                .we(c_we),
                .waddr(c_tile * ROWS_A | c_row | c_ws_addr),
                .wdata(c_sum + stored),
                .raddr(busy ? tile_d[(ROWS-1+c)*ADDR_W +: ADDR_W] : host_addr_q),
                .rzero(busy & ~(ws & accum_d[ROWS-1+c])),
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
