"""The abuse suite (issue 16 item 6): hostile input at every address, as every role."""
