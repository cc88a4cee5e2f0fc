// The Android app: Jetpack Compose screens drawing the `model` module's state.
// The Rust library is built for the Android ABIs by cargo-ndk (task cargoNdk, run before
// every build); the Kotlin bindings come with the model module.
plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

val workspace = rootProject.extra["workspace"] as File
val rustJniLibs = layout.buildDirectory.dir("rustJniLibs")

android {
    namespace = "app.onward.android"
    compileSdk = 35

    defaultConfig {
        applicationId = "app.onward"
        // Android 8.0: adaptive notification channels and java.time without desugaring.
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
    }

    buildTypes {
        release {
            isMinifyEnabled = false
        }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
    buildFeatures { compose = true }
    sourceSets["main"].jniLibs.srcDir(rustJniLibs)
}

/**
 * Builds libonward_ffi.so for the phone ABIs with cargo-ndk (`cargo install cargo-ndk`,
 * `rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android`,
 * and ANDROID_NDK_HOME set, or the NDK installed through the SDK manager).
 */
val cargoNdk by tasks.registering(Exec::class) {
    val release = gradle.startParameter.taskNames.any { it.contains("Release") }
    workingDir = workspace
    inputs.dir(workspace.resolve("core/src"))
    inputs.dir(workspace.resolve("bindings/src"))
    outputs.dir(rustJniLibs)
    commandLine(
        listOf(
            "cargo", "ndk",
            "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
            "--platform", "26",
            "-o", rustJniLibs.get().asFile.path,
            "build", "-p", "onward-ffi",
        ) + if (release) listOf("--release") else emptyList(),
    )
}
tasks.named("preBuild") { dependsOn(cargoNdk) }

dependencies {
    implementation(project(":model"))
    // JNA with its native part for each ABI, as the generated bindings expect.
    implementation("${libs.jna.get()}@aar")
    implementation(libs.kotlinx.coroutines.android)
    implementation(platform(libs.compose.bom))
    implementation(libs.compose.material3)
    implementation(libs.compose.ui)
    implementation(libs.compose.icons)
    implementation(libs.compose.ui.tooling.preview)
    debugImplementation(libs.compose.ui.tooling)
    implementation(libs.activity.compose)
    implementation(libs.lifecycle.runtime.compose)
    implementation(libs.lifecycle.process)
    implementation(libs.biometric)
    implementation(libs.work.runtime)
    implementation(libs.zxing.core)
    implementation(libs.zxing.embedded)
}
