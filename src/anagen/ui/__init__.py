"""The UI kit: what every app's forms and documents share (the form base, the PDF with its fonts,
reading a picture's bytes into pixels).

It sits on the platform floor beside ``audit``: it imports no Anagen app, so any app may use it
(docs/architecture.md).
"""
