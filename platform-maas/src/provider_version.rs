//! What a CAPMAAS version can do, read from its image tag. Where the provider may run follows
//! from it: only a version whose cache honours `--namespace` can run per control-plane
//! namespace without reconciling its siblings' MaasMachines.

use platform_api::control_plane::ProviderScope;
use platform_api::platform::{FieldError, FieldErrors, PlatformError, Warnings};

/// A CAPMAAS release whose behaviour we know (facts from each tag's `main.go`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapmaasVersion {
    /// Upstream main line, CAPI v1beta2 contract. `--namespace` is only logged (the cache
    /// stays cluster-wide), start-up lists MaasClusters in every namespace, and the webhook
    /// server always listens (`--webhook-port 0` means the default, 9443).
    V0_9_0,
    /// Palette line, CAPI v1beta1 contract. `--namespace` limits the cache to one namespace and
    /// `--webhook-port=0` turns the webhook server off.
    V4_9_5Spectro,
}

impl CapmaasVersion {
    /// Every known version, oldest behaviour first.
    pub const ALL: [CapmaasVersion; 2] = [CapmaasVersion::V0_9_0, CapmaasVersion::V4_9_5Spectro];
    /// What an unknown tag is taken for: the newest behaviour we know, which can run per
    /// namespace (a warning says so, since a wrong guess means siblings fighting).
    pub const NEWEST: CapmaasVersion = CapmaasVersion::V4_9_5Spectro;

    /// The image tag of this release.
    pub fn tag(self) -> &'static str {
        match self {
            CapmaasVersion::V0_9_0 => "v0.9.0",
            CapmaasVersion::V4_9_5Spectro => "v4.9.5-spectro",
        }
    }

    /// The known version an image tag names exactly, if any.
    pub fn from_tag(tag: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.tag() == tag)
    }

    /// Whether `--namespace` limits the controller's cache, so that one instance per
    /// control-plane namespace sees only its own cluster.
    pub fn honours_namespace(self) -> bool {
        matches!(self, CapmaasVersion::V4_9_5Spectro)
    }

    /// Whether `--webhook-port=0` turns the webhook server off (else it needs serving
    /// certificates and a webhook configuration).
    pub fn webhooks_can_be_disabled(self) -> bool {
        matches!(self, CapmaasVersion::V4_9_5Spectro)
    }

    /// Where this version may run: per namespace only if its cache honours `--namespace`.
    pub fn allows(self, scope: ProviderScope) -> bool {
        match scope {
            ProviderScope::ClusterWide => true,
            ProviderScope::PerNamespace => self.honours_namespace(),
        }
    }
}

/// The tag of an image reference (`repo[:tag][@digest]`), if it has one. A `:` before the last
/// `/` belongs to a registry port, not a tag.
pub fn image_tag(image: &str) -> Option<&str> {
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.split_once(':')
        .map(|(_, tag)| tag)
        .filter(|t| !t.is_empty())
}

/// Where the provider image of a cluster was chosen, for messages that say what to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageSource {
    /// The HostedCluster annotation (its key).
    Annotation(&'static str),
    /// The operator's `--default-provider-image` (or `render --provider-image`) for MAAS.
    Settings,
    /// The built-in default.
    Default,
}

impl ImageSource {
    fn path(&self) -> String {
        match self {
            ImageSource::Annotation(key) => format!("metadata.annotations[{key}]"),
            ImageSource::Settings => {
                "provider image setting MAAS (operator --default-provider-image, render --provider-image)"
                    .into()
            }
            ImageSource::Default => "built-in CAPMAAS image".into(),
        }
    }
}

/// The version of `image`, checked against where it must run. An unknown or missing tag is
/// taken for [`CapmaasVersion::NEWEST`] with a warning; a version that cannot run in `scope`
/// is [`PlatformError::Invalid`], naming the image, its version and the fix.
pub fn resolve(
    image: &str,
    source: &ImageSource,
    scope: ProviderScope,
    warnings: &Warnings,
) -> Result<CapmaasVersion, PlatformError> {
    let tag = image_tag(image);
    let version = match tag.and_then(CapmaasVersion::from_tag) {
        Some(v) => v,
        None => {
            warnings.warn(format!(
                "CAPMAAS image {image} has {}: assuming it behaves like {} (honours --namespace, --webhook-port=0 disables webhooks); known tags: {}",
                tag.map_or("no tag".to_string(), |t| format!("the unknown tag {t:?}")),
                CapmaasVersion::NEWEST.tag(),
                CapmaasVersion::ALL.map(CapmaasVersion::tag).join(", "),
            ));
            CapmaasVersion::NEWEST
        }
    };
    if version.allows(scope) {
        return Ok(version);
    }
    Err(PlatformError::Invalid(FieldErrors(vec![FieldError::new(
        source.path(),
        format!(
            "CAPMAAS image {image} is version {}, which cannot run per control-plane namespace: its cache ignores --namespace and its webhooks cannot be turned off, so one instance per hosted cluster would reconcile every cluster's MaasMachines",
            version.tag()
        ),
        format!(
            "run CAPMAAS {} once for the whole management cluster (clusterctl init --infrastructure maas) with a control-plane backend that uses cluster-wide providers, or use a {} image",
            version.tag(),
            CapmaasVersion::V4_9_5Spectro.tag()
        ),
    )])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_past_registry_ports_and_digests() {
        assert_eq!(image_tag("r.example:5000/capmaas:v0.9.0"), Some("v0.9.0"));
        assert_eq!(
            image_tag("capmaas:v4.9.5-spectro@sha256:ab"),
            Some("v4.9.5-spectro")
        );
        assert_eq!(image_tag("r.example:5000/capmaas"), None);
        assert_eq!(image_tag("capmaas@sha256:ab"), None);
    }

    #[test]
    fn placement_follows_the_version() {
        let w = Warnings::default();
        let per_ns = ProviderScope::PerNamespace;
        let v = resolve(
            "x/capmaas:v4.9.5-spectro",
            &ImageSource::Default,
            per_ns,
            &w,
        )
        .unwrap();
        assert_eq!(v, CapmaasVersion::V4_9_5Spectro);
        assert!(w.take().is_empty());
        let source = ImageSource::Annotation("example.com/image");
        let e = resolve("x/capmaas:v0.9.0", &source, per_ns, &w).unwrap_err();
        let msg = e.to_string();
        for part in [
            "metadata.annotations[example.com/image]",
            "x/capmaas:v0.9.0",
            "version v0.9.0",
            "clusterctl",
            "v4.9.5-spectro image",
        ] {
            assert!(msg.contains(part), "{part} missing from {msg}");
        }
        let wide = ProviderScope::ClusterWide;
        assert!(resolve("x/capmaas:v0.9.0", &source, wide, &w).is_ok());
    }

    #[test]
    fn an_unknown_tag_is_the_newest_behaviour_with_a_warning() {
        let w = Warnings::default();
        let v = resolve(
            "x/capmaas:v9.9.9",
            &ImageSource::Settings,
            ProviderScope::PerNamespace,
            &w,
        )
        .unwrap();
        assert_eq!(v, CapmaasVersion::NEWEST);
        let warnings = w.take();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("\"v9.9.9\"") && warnings[0].contains("v4.9.5-spectro"));
    }
}
