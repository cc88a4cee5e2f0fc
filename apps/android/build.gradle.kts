// The plugins, declared once here and applied in the modules.
plugins {
    alias(libs.plugins.android.application) apply false
    alias(libs.plugins.kotlin.android) apply false
    alias(libs.plugins.kotlin.jvm) apply false
    alias(libs.plugins.kotlin.compose) apply false
}

/** The repository's root: the Cargo workspace the Rust library and its bindings come from. */
val workspace: File = rootDir.resolve("../..").canonicalFile
extra["workspace"] = workspace
