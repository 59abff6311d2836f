enum _PlaceholderEndToEndTests {}
