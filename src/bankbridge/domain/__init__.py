"""Business rules: plain values in, domain objects out, ``BankBridgeError`` on refusal."""
