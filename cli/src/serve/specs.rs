//! The form of the options that name a thing and its settings, `ID,key=value,...`
//! (`--app-deployment`, `--external-events`).

/// `spec` read as its id and its `key=value` settings, in order; `flag` names the option in the
/// messages. The id comes first, is not empty and holds no `/` (it is a path segment); each
/// setting has a key and a value.
pub fn split<'s>(flag: &str, spec: &'s str) -> anyhow::Result<(&'s str, Vec<(&'s str, &'s str)>)> {
    let mut parts = spec.split(',');
    let id = parts.next().unwrap_or_default().trim();
    anyhow::ensure!(!id.is_empty() && !id.contains('/'), "{flag} {spec:?}: the id comes first");
    let settings = parts
        .map(|part| match part.split_once('=') {
            Some((key, value)) if !key.is_empty() && !value.is_empty() => Ok((key, value)),
            _ => anyhow::bail!("{flag} {spec:?}: {part:?} is not key=value"),
        })
        .collect::<anyhow::Result<_>>()?;
    Ok((id, settings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_then_settings() {
        let (id, settings) = split("--x", "dep-1,type=app,origin=https://a.test").unwrap();
        assert_eq!((id, settings), ("dep-1", vec![("type", "app"), ("origin", "https://a.test")]));
        for bad in ["", ",type=app", "a/b", "dep,type", "dep,=x", "dep,type="] {
            assert!(split("--x", bad).is_err(), "{bad}");
        }
    }
}
