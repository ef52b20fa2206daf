"""How requests arrive and are answered: the app, its lanes and the server."""
