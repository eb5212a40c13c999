"""Data shipped with the app: the immigration courts and a list of common passwords.

``common_passwords.txt`` holds the entries of 10 or more characters from Django's
``common-passwords.txt.gz`` (BSD-3-Clause, itself from Royce Williams' list), lower-cased.
``immigration_courts.csv`` lists EOIR immigration courts with their IANA time zones (public domain;
see the README for its sources).
"""
