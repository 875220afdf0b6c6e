"""What the tests share: factories, a seeded station, PostgreSQL scratch databases, a
TCP proxy, scanner streams and store helpers."""
