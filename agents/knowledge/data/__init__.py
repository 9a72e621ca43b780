"""Data files shipped with the package (the course notes); a package so setuptools ships them."""
