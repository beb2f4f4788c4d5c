//! Text checks shared by the dialects: length caps, characters that cannot be in a name the
//! clouds compare (NUL, control characters, look-alike letters), and the warnings for text that
//! may legally hold any Unicode (the last part of a resource name, a tag key) but holds
//! something invisible or a mix of scripts.
//!
//! Action names, principals and the fixed segments of resource names are ASCII in every cloud
//! polsim knows, so any other character there is an error: a Greek `Ο` in `s3:GetΟbject`, a
//! Cyrillic `а` in `arn:аws:...` or a fullwidth `：` make a name that matches nothing, and a Deny
//! written with one would vanish without a word (docs/robustness.md, "Policy documents").

/// The longest pattern, condition key or condition value polsim lowers, in bytes. The clouds'
/// own limits on a whole policy are far below it (IAM: 2,048 to 10,240 characters; RAM: 6,144;
/// CAM: 6,144 for a policy, 20 KB for a COS bucket policy), and a cap keeps matching a hostile
/// pattern against a long name bounded (docs/robustness.md, "Bounded work").
pub const MAX_TEXT_LEN: usize = 64 * 1024;

/// Why `text` is too long to be lowered, if it is.
pub fn too_long(text: &str, what: &str) -> Option<(String, String)> {
    (text.len() > MAX_TEXT_LEN).then(|| {
        (
            format!(
                "this {what} is {} bytes long; polsim reads at most {MAX_TEXT_LEN}",
                text.len()
            ),
            "no cloud accepts a policy anywhere near this size; this is not a policy a cloud would store".into(),
        )
    })
}

/// How a character is shown in a message: itself when printable, else its code point.
pub fn show(c: char) -> String {
    if c.is_control() || is_invisible(c) {
        format!("U+{:04X}", c as u32)
    } else {
        format!("`{c}` (U+{:04X})", c as u32)
    }
}

/// The first character of `text` that cannot be in an ASCII name (a control character or any
/// non-ASCII one), described for a message.
pub fn non_ascii(text: &str) -> Option<String> {
    let c = text
        .chars()
        .find(|c| !c.is_ascii() || c.is_ascii_control())?;
    let kind = if c == '\0' {
        "a NUL character"
    } else if c.is_control() {
        "a control character"
    } else if is_invisible(c) {
        "an invisible character"
    } else if is_fullwidth(c) {
        "a fullwidth character"
    } else if script(c).is_some() {
        "a look-alike letter"
    } else {
        "a non-ASCII character"
    };
    Some(format!("{kind}, {}", show(c)))
}

/// What is wrong with text that may hold any Unicode (the last part of a resource name, the
/// suffix of a tag key): `Err` for a NUL (never part of a name), `Ok(Some(warning))` for control
/// or invisible characters and for a word mixing Latin, Greek and Cyrillic letters.
pub fn lenient(text: &str) -> Result<Option<String>, String> {
    if text.contains('\0') {
        return Err("a NUL character (U+0000)".into());
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Ok(Some(format!("a control character, {}", show(c))));
    }
    if let Some(c) = text.chars().find(|c| is_invisible(*c)) {
        return Ok(Some(format!("an invisible character, {}", show(c))));
    }
    if let Some(word) = mixed_script_word(text) {
        return Ok(Some(format!(
            "the word `{word}` mixes letters of different scripts (Latin, Greek, Cyrillic), the mark of a look-alike"
        )));
    }
    Ok(None)
}

/// Zero-width, format and space-like characters a reader does not see (or sees as a space).
pub fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00A0 | 0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5
        | 0x180B..=0x180F | 0x2000..=0x200F | 0x2028..=0x202F | 0x205F..=0x206F
        | 0x3000 | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8
        | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

fn is_fullwidth(c: char) -> bool {
    matches!(c as u32, 0xFF01..=0xFF5E)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
}

fn script(c: char) -> Option<Script> {
    match c as u32 {
        0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF => Some(Script::Latin),
        0x370..=0x3FF | 0x1F00..=0x1FFF => Some(Script::Greek),
        0x400..=0x52F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => {
            Some(Script::Cyrillic)
        }
        _ => None,
    }
}

/// The first word (a run of letters) holding letters of two of Latin, Greek and Cyrillic.
fn mixed_script_word(text: &str) -> Option<&str> {
    let mut start = 0;
    let mut first: Option<Script> = None;
    let mut mixed = false;
    for (i, c) in text.char_indices() {
        if c.is_alphabetic() {
            if let Some(s) = script(c) {
                match first {
                    None => first = Some(s),
                    Some(f) if f != s => mixed = true,
                    _ => {}
                }
            }
            continue;
        }
        if mixed {
            return text.get(start..i);
        }
        start = i + c.len_utf8();
        first = None;
    }
    if mixed {
        text.get(start..)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_in_ascii_names() {
        assert!(non_ascii("s3:GetObject").is_none());
        assert!(non_ascii("s3:GetΟbject").unwrap().contains("look-alike")); // Greek Ο
        assert!(non_ascii("s3:Get\u{200B}Object")
            .unwrap()
            .contains("invisible"));
        assert!(non_ascii("s3：GetObject").unwrap().contains("fullwidth"));
        assert!(non_ascii("s3:Get\0").unwrap().contains("NUL"));
        assert!(non_ascii("аrn").unwrap().contains("U+0430")); // Cyrillic а
    }

    #[test]
    fn unicode_in_object_keys_is_fine_but_mixed_scripts_warn() {
        assert_eq!(lenient("b/фото/2024/*"), Ok(None));
        assert_eq!(lenient("b/résumé.pdf"), Ok(None));
        assert_eq!(lenient("b/文件/*"), Ok(None));
        assert!(lenient("b/pаyroll/*").unwrap().unwrap().contains("pаyroll"));
        assert!(lenient("b/pay\u{200B}roll")
            .unwrap()
            .unwrap()
            .contains("U+200B"));
        assert!(lenient("b/x\0").is_err());
    }
}
