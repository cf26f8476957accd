"""Back end: primitive graph, LP pipelining, Amaranth RTL."""
