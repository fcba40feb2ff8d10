// PLACEHOLDER: the native helper writes the real plab entry point.
int main() { return 0; }
