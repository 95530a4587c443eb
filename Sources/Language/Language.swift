// Language placeholder
