"""/api/v1/chat/: rooms, history and read markers ("Chat" in the contract)."""
