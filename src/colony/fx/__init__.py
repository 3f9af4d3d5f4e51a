"""Foreign exchange: reference rates behind one interface, cross rates through EUR, quotes."""
