  reg [7:0] _14_;
  reg [7:0] _15_;
  always @(posedge clk) begin
    if (r_A_fu_0_0_p_en0) begin
      _14_ <= mem_B_3[\$171 [3:0]];
    end
    _15_ <= mem_B_3[host_addr];
  end
  assign r_B_fu_0_3_p = _14_;
  assign \read__data$156  = _15_;
