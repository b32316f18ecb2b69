"""Online fee payment: intents, the gateways' adapters and callbacks, reconciliation."""
