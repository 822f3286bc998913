"""Views out of the app: a view's figures and tables as one self-contained, offline HTML file."""
