print("hostwatch")
