"""Administration: users, departments, categories, routing rules, districts, API keys."""
