"""Pieces every feature uses and that use nothing above them."""
