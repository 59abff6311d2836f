enum _PlaceholderStorageTests {}
