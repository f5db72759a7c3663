"""labrace: frontier AI labs splitting compute between training and inference, competing in a market."""
