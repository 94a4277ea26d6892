//! The stages' parts that other programs use on their own: the tests, benches and fuzz targets
//! of this repository, and tools that read `.reg` files or check signatures.
//!
//! Every stage module is private to the crate; this file is the whole list of what leaves it,
//! one module per stage, each naming its items (no glob). Adding an item here makes it public
//! API: keep the list short, and prefer the pipeline calls in [`super`].

/// Reading recipe files and bundles.
pub mod load {
    pub use crate::load::{read_paths, Bundle, Inputs, LoadError, EMBEDDED_L2TP};
}

/// Validation: every finding of a bundle.
pub mod validate {
    pub use crate::validate::uses::Given;
    pub use crate::validate::{check, embedded_bundle, parse_bundle, Report, ValidateError};
}

/// Binding param values to recipes.
pub mod plan {
    pub use crate::model::ParamValues;
    pub use crate::plan::{build, BindError, Plan, PlanError, RecipePlan};
}

/// The renderers, one target each.
pub mod render {
    pub use crate::render::{Artifacts, OutputFile};

    /// PowerShell scripts, one per recipe and one per bundle.
    pub mod powershell {
        pub use crate::render::powershell::{
            recipe_models, render_recipe_script, render_scripts, PsOptions, RecipeModel, ScriptMode,
        };
    }

    /// The PowerShell module.
    pub mod ps_module {
        pub use crate::render::ps_module::render_module;
    }

    /// `.reg` files.
    pub mod reg {
        pub use crate::render::reg::render;
    }

    /// Group Policy: Preferences, Registry.pol, startup scripts.
    pub mod gpo {
        pub use crate::render::gpo::{
            is_policy_key, merge_extension_names, render, GpoOptions, StartupScripts,
            CSE_PREFERENCES_REGISTRY, CSE_PREFERENCES_TOOL, CSE_REGISTRY, CSE_SCRIPTS_GUID,
            CSE_SCRIPTS_MACHINE, TOOL_SCRIPTS_MACHINE,
        };
    }

    /// The marker a VPN fix leaves, and the key identifier it holds.
    pub mod vpn_marker {
        pub use crate::render::vpn_marker::{psk_id, PSK_ID_ITERATIONS, PSK_ID_SALT_PREFIX};
    }
}

/// Authenticode signing and verification, the manifest and bundle checks.
pub mod sign {
    pub use crate::sign::{
        append_script_block, has_signature_block, load_ca_file, split_script, verify_detached,
        verify_script, SignError, Signer, TextEncoding, TrustStatus, VerifyOptions,
    };

    /// `SHA256SUMS` and `manifest.json`.
    pub mod manifest {
        pub use crate::sign::manifest::{is_manifest_file, sha256_hex, Manifest};
    }

    /// Making the Intune payloads again (`fixgen sign --bundle`).
    pub mod payloads {
        pub use crate::sign::payloads::PayloadError;
    }

    /// Checking a whole bundle folder.
    pub mod bundle {
        pub use crate::sign::bundle::verify_bundle;
    }
}

/// Writing the bundle folder.
pub mod write {
    /// Fault injection for crash tests (`FIXGEN_FAULT_AFTER_FS_STEP`).
    pub mod fault {
        pub use crate::write::fault::{ENV, EXIT_CODE};
    }
}

/// `.reg` files: reading, writing and checking them.
pub mod regfile {
    pub use crate::regfile::{from_utf16le, utf16le, Format, RegData, ValueAction};

    /// The reader.
    pub mod read {
        pub use crate::regfile::read::{parse, text};
    }

    /// The writer.
    pub mod write {
        pub use crate::regfile::write::RegWriter;
    }

    /// The checks `fixgen` runs on a `.reg` file.
    pub mod check {
        pub use crate::regfile::check::{check, findings};
    }
}

/// Registry paths.
pub mod registry {
    pub use crate::registry::{Hive, RegPath};
}

/// Size limits on input.
pub mod limits {
    pub use crate::limits::{
        MAX_DISPLAY_NAME, MAX_FILE_BYTES, MAX_PARAMS, MAX_RECIPES, MAX_REG_FILE_BYTES,
        MAX_REG_TEXT, MAX_STEPS, MAX_TEXT, MAX_TITLE,
    };
}
