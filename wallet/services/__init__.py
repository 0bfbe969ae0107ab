"""Every write to wallets, by responsibility: `balances` (the primitives every money
movement goes through), then the flows built on them (top-ups, bank accounts,
withdrawals, fraud checks) in their own modules."""
