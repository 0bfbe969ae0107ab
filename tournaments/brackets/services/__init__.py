"""Every write to a bracket, each owning its transaction and taking the event's row lock first."""
