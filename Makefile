# Convenience wrappers around scripts/ (the scripts are the source of truth).
.PHONY: all build asan demo check unit integration bench fuzz format clean
all: build
build:
	scripts/build
asan:
	scripts/build asan
demo:
	scripts/demo
check:
	scripts/check
unit: build
	meson test -C build --suite unit --print-errorlogs
integration: build
	/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration
bench: build
	bench/run
format:
	clang-format -i $$(git ls-files '*.c' '*.h')
clean:
	rm -rf build build-asan build-fuzz
