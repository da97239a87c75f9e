"""gpu-year: how far is one GPU-year from training model X?"""
