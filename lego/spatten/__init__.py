"""SpAtten (HPCA 2021) engines: the top-k engine and the progressive-quantization engine."""
