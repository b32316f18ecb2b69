"""Electronic certification of copies: the register, the signed copy, public verification."""
