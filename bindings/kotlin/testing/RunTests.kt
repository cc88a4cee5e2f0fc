package app.onward.testing

// A small test runner for a plain JVM (no JUnit here), shared by the bindings' tests and
// the phone apps' model tests: each test is a function, a thrown assertion fails it.

/** A named test. */
typealias Test = Pair<String, () -> Unit>

/**
 * Runs [tests] in order, printing one line per test and "[label]: N passed, M failed".
 * Returns the exit status to use: 0 when every test passed, 1 otherwise.
 */
fun runTests(label: String, tests: List<Test>): Int {
    var passed = 0
    var failed = 0
    for ((name, test) in tests) {
        try {
            test()
            passed += 1
            println("PASS $name")
        } catch (e: Throwable) {
            failed += 1
            println("FAIL $name: $e")
            e.printStackTrace(System.out)
        }
    }
    println("$label: $passed passed, $failed failed")
    return if (failed == 0) 0 else 1
}
