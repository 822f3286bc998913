"""HTTP plumbing no page owns: login, users, sessions, guards, request ids, page uploads."""
