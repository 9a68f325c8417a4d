"""Stand-ins and real services the tests run against (the model server, a real OpenCode process)."""
