"""Textual screens of the bench: login, home, request, checklist, outcome and help."""
