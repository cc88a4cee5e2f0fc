// Onward for Android: `app` (Jetpack Compose screens) on `model` (plain Kotlin: screen
// state and actions over the generated bindings of the Rust core).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "onward-android"
include(":app", ":model")
