"""SpAtten end to end: a summary trace through the whole accelerator (lego spatten sim)."""
