// The model layer: plain Kotlin (no Android), screen state and actions for every flow,
// over the Kotlin bindings generated from the Rust library by the workspace's own
// uniffi-bindgen. Its tests run on a plain JVM: `./gradlew :model:jvmTests` here, or
// `apps/android/model/run-tests` (kotlinc, no Gradle) in the repository's test command.
plugins {
    alias(libs.plugins.kotlin.jvm)
}

val workspace = rootProject.extra["workspace"] as File
val generated = layout.buildDirectory.dir("generated/uniffi")
val hostLibrary = workspace.resolve(
    "target/debug/" + if (System.getProperty("os.name").startsWith("Mac")) "libonward_ffi.dylib" else "libonward_ffi.so",
)

/** Builds the Rust library for this machine (its metadata describes the API), and the
 * relay the sync tests start on 127.0.0.1. */
val buildHostLibrary by tasks.registering(Exec::class) {
    workingDir = workspace
    commandLine("cargo", "build", "-p", "onward-ffi", "-p", "onward-relay")
    environment("CARGO_TARGET_DIR", workspace.resolve("target"))
}

/** Generates the Kotlin bindings (package app.onward) in library mode. */
val generateBindings by tasks.registering(Exec::class) {
    dependsOn(buildHostLibrary)
    inputs.file(hostLibrary)
    inputs.file(workspace.resolve("uniffi.toml"))
    outputs.dir(generated)
    workingDir = workspace
    commandLine(
        workspace.resolve("target/debug/uniffi-bindgen").path, "generate",
        "--library", hostLibrary.path,
        "--config", "uniffi.toml",
        "--language", "kotlin",
        "--no-format",
        "--out-dir", generated.get().asFile.path,
    )
}

kotlin {
    jvmToolchain(17)
    sourceSets["main"].kotlin.srcDir(generated)
    // The small test runner the bindings' tests share.
    sourceSets["test"].kotlin.srcDir(workspace.resolve("bindings/kotlin/testing"))
}
tasks.named("compileKotlin") { dependsOn(generateBindings) }

dependencies {
    // The app brings JNA as an Android archive; a plain JVM takes the jar.
    compileOnly(libs.jna)
    api(libs.kotlinx.coroutines.core)
    testImplementation(libs.jna)
    testImplementation(libs.kotlin.test)
}

/** Runs the model tests (their own small runner, as on CI) against the host library. */
val jvmTests by tasks.registering(JavaExec::class) {
    dependsOn("testClasses")
    classpath = sourceSets["test"].runtimeClasspath
    mainClass.set("app.onward.model.TestRunnerKt")
    jvmArgs("-Djna.library.path=${hostLibrary.parentFile.path}")
    environment("ONWARD_RELAY", workspace.resolve("target/debug/onward-relay").path)
}
tasks.named("check") { dependsOn(jvmTests) }
