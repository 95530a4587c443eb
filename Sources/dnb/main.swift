print("dnb")
