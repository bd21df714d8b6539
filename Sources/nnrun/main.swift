print("nnrun 0.1.0")
