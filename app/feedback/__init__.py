"""The reporter's answer to "Ist der Mangel behoben?" after a resolution (issue 17)."""
