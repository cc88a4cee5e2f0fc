# Sourced by the scripts that compile Kotlin on a plain JVM (bindings/run-tests,
# apps/android/model/run-tests): installs what they need when it is missing, defines
# `snapshot` (below) and sets
#   jna          the JNA jar (the generated bindings load the Rust library through it)
#   kotlin_home  the Kotlin compiler (kotlinc in bin/, the runtime jars in lib/)
#   kotlin_lib   $kotlin_home/lib: kotlin-stdlib, kotlin-test, kotlinx-coroutines-core-jvm
# A JDK and JNA come from Debian packages, the Kotlin compiler from npm (kotlin-compiler).
# Expects `root` (the repository) to be set.

kotlin_version=2.4.20
kotlin_tools=$root/bindings/.tools

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

kotlin_apt_packages=()
command -v javac >/dev/null 2>&1 || kotlin_apt_packages+=(openjdk-17-jdk-headless)
[ -f /usr/share/java/jna.jar ] || kotlin_apt_packages+=(libjna-java libjna-jni)
if [ ${#kotlin_apt_packages[@]} -gt 0 ]; then
  echo "Installing ${kotlin_apt_packages[*]} (once)…"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${kotlin_apt_packages[@]}" >/dev/null
fi
jna=/usr/share/java/jna.jar

kotlin_home=$kotlin_tools/node_modules/kotlin-compiler
if [ ! -x "$kotlin_home/bin/kotlinc" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "The Kotlin compiler comes from npm, and npm is missing: install Node.js (with npm) and run this again." >&2
    exit 1
  fi
  echo "Installing the Kotlin compiler $kotlin_version from npm (once)…"
  npm install --prefix "$kotlin_tools" --no-audit --no-fund --silent "kotlin-compiler@$kotlin_version"
fi
kotlin_lib=$kotlin_home/lib

# Keeps what a build just made (the library, the relay) apart from the shared target
# directory, so the bindings, the tests and the library all come from one build even if
# another build replaces the target's files meanwhile. A hard link where it works (cargo
# replaces its outputs rather than rewriting them), a copy elsewhere.
snapshot() { ln -f "$1" "$2" 2>/dev/null || cp "$1" "$2"; }
