"""One module per Dwolla resource; each endpoint parses, calls the domain and presents."""
