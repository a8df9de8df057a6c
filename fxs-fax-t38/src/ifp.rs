//! T.38 IFP (Internet Facsimile Protocol) packets: parse and emit.
//!
//! The abstract syntax is T.38's `IFPPacket` (fax-t38.md §5.1), encoded with
//! ASN.1 PER, ALIGNED variant (X.691). [`IfpPacket`] is the typed
//! representation (smoltcp's `Repr`); there is no fixed-offset `Packet<T>`
//! view because PER packs enumeration indices and presence bits without
//! padding, so no field of an IFP packet sits at a fixed offset.
//!
//! # Wire layout (fax-t38.md §5.2)
//!
//! ```text
//! octet 0   bit 7   data-field present
//!           bit 6   type-of-msg: 0 = t30-indicator, 1 = t30-data
//!           bit 5   extension bit of the enumeration
//!           4..1    root index (16 indicators, 9 data rates)      bit 0 padding
//!           (extension values: bit 4 = 0, then 6 bits across octets 0-1)
//! then, if data-field present: count (PER length), then per entry
//!           1 bit   field-data present
//!           v0:     3 bits field-type
//!           v1+:    1 extension bit + 3 bits (or 0 + 6 bits for cm/jm/ci/v34rate)
//!           field-data: pad to octet, 2 octets (length - 1), the octets
//! ```
//!
//! Examples: CNG = `02`, CED = `04`, V.21 preamble = `06`, V.8 ANSam (v1+) =
//! `20 00`; V.21 HDLC data with two entries (data, then fcs-OK-sig-end) in
//! version 0 = `C0 02 80 00 02 FF C8 21 40`.
//!
//! # Versions
//!
//! The only wire difference between T.38 versions is the `field-type`
//! enumeration: the 1998 ASN.1 (version 0, "pre-corrigendum") has no
//! extension marker there, later versions do, so the same entry takes 4 bits
//! in version 0 and 5 bits in version 1 and later. Extension values (V.8,
//! V.33, V.34 indicators, data rates and field types) are refused in
//! version 0 on both parse and emit ([`Error::NotInVersion`]). This crate
//! follows the T38(2002) ASN.1 module for versions 1 to 3 and does not
//! police that V.34 relay arrived only with version 3 (fax-t38.md §7).
//!
//! An entry without `field-data` is not padded (X.691), so the next entry
//! starts mid-octet. spandsp does this in version 0 but octet-aligns every
//! entry in versions 1+; the two agree whenever an entry without data is the
//! last one of the packet (the usual `hdlc-data` + `hdlc-fcs-OK` case) and
//! differ only for two or more data-less entries in one v1+ packet.
//!
//! # Panics
//!
//! None: [`IfpPacket::parse`] checks every length against the input and
//! returns an [`Error`] that names the element and byte offset;
//! [`IfpPacket::emit`] checks the buffer length first.

use core::fmt;

use crate::Error;
use crate::per::{self, BitReader, BitWriter};

/// The T.38 protocol version in use (SDP `T38FaxVersion`, fax-t38.md §7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum T38Version {
    /// The original 1998 edition; what most peers speak.
    #[default]
    V0,
    /// The 2000-2002 revisions (extension values, corrected field-type).
    V1,
    /// As version 1 on the wire.
    V2,
    /// Adds V.34 relay (same wire encoding as version 1).
    V3,
}

impl T38Version {
    /// Every version, oldest first.
    pub const ALL: [T38Version; 4] = [T38Version::V0, T38Version::V1, T38Version::V2, T38Version::V3];

    /// The version with SDP number `n`; [`Error::UnsupportedVersion`] above 3.
    pub fn from_number(n: u8) -> Result<T38Version, Error> {
        Self::ALL
            .get(usize::from(n))
            .copied()
            .ok_or(Error::UnsupportedVersion(n))
    }

    /// The SDP `T38FaxVersion` number.
    pub fn number(self) -> u8 {
        match self {
            T38Version::V0 => 0,
            T38Version::V1 => 1,
            T38Version::V2 => 2,
            T38Version::V3 => 3,
        }
    }

    /// Whether the enumerations have their post-1998 extension values and
    /// `field-type` carries an extension bit.
    fn extended(self) -> bool {
        self != T38Version::V0
    }
}

impl fmt::Display for T38Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

/// Defines a T.38 ENUMERATED: variants with their ASN.1 index and name.
macro_rules! t38_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $asn:literal, root = $root:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, $text:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        #[repr(u8)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $value, )*
        }

        impl $name {
            /// Every value, in ASN.1 order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];

            /// Number of values in the extension root (before `...`).
            const ROOT: u32 = $root;

            /// The ASN.1 ENUMERATED index (root values first, then extensions).
            pub fn value(self) -> u8 {
                self as u8
            }

            /// The value with ASN.1 index `value`, if T.38 defines one.
            pub fn from_value(value: u8) -> Option<$name> {
                Self::ALL.get(usize::from(value)).copied()
            }

            /// The identifier the T.38 ASN.1 uses for this value.
            pub fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )*
                }
            }

            /// The first T.38 version that defines this value.
            pub fn min_version(self) -> T38Version {
                if u32::from(self.value()) < Self::ROOT {
                    T38Version::V0
                } else {
                    T38Version::V1
                }
            }

            const ASN_NAME: &'static str = $asn;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

t38_enum! {
    /// `t30-indicator`: a signal that started on the fax side (fax-t38.md §5.1).
    Indicator, "t30-indicator", root = 16 {
        /// No signal.
        NoSignal = 0, "no-signal";
        /// CNG calling tone.
        Cng = 1, "cng";
        /// CED answer tone.
        Ced = 2, "ced";
        /// V.21 channel 2 flags (HDLC preamble).
        V21Preamble = 3, "v21-preamble";
        /// V.27ter 2400 bit/s training.
        V27_2400Training = 4, "v27-2400-training";
        /// V.27ter 4800 bit/s training.
        V27_4800Training = 5, "v27-4800-training";
        /// V.29 7200 bit/s training.
        V29_7200Training = 6, "v29-7200-training";
        /// V.29 9600 bit/s training.
        V29_9600Training = 7, "v29-9600-training";
        /// V.17 7200 bit/s short training.
        V17_7200ShortTraining = 8, "v17-7200-short-training";
        /// V.17 7200 bit/s long training.
        V17_7200LongTraining = 9, "v17-7200-long-training";
        /// V.17 9600 bit/s short training.
        V17_9600ShortTraining = 10, "v17-9600-short-training";
        /// V.17 9600 bit/s long training.
        V17_9600LongTraining = 11, "v17-9600-long-training";
        /// V.17 12000 bit/s short training.
        V17_12000ShortTraining = 12, "v17-12000-short-training";
        /// V.17 12000 bit/s long training.
        V17_12000LongTraining = 13, "v17-12000-long-training";
        /// V.17 14400 bit/s short training.
        V17_14400ShortTraining = 14, "v17-14400-short-training";
        /// V.17 14400 bit/s long training.
        V17_14400LongTraining = 15, "v17-14400-long-training";
        /// V.8 ANSam (version 1+).
        V8Ansam = 16, "v8-ansam";
        /// V.8 signal (version 1+).
        V8Signal = 17, "v8-signal";
        /// V.34 control channel at 1200 bit/s (version 1+).
        V34CntlChannel1200 = 18, "v34-cntl-channel-1200";
        /// V.34 primary channel (version 1+).
        V34PriChannel = 19, "v34-pri-channel";
        /// V.34 control channel retrain (version 1+).
        V34CcRetrain = 20, "v34-CC-retrain";
        /// V.33 12000 bit/s training (version 1+).
        V33_12000Training = 21, "v33-12000-training";
        /// V.33 14400 bit/s training (version 1+).
        V33_14400Training = 22, "v33-14400-training";
    }
}

t38_enum! {
    /// `t30-data`: the modulation that carries a data packet (fax-t38.md §5.1).
    DataRate, "t30-data", root = 9 {
        /// V.21 channel 2, 300 bit/s (T.30 control).
        V21 = 0, "v21";
        /// V.27ter 2400 bit/s.
        V27_2400 = 1, "v27-2400";
        /// V.27ter 4800 bit/s.
        V27_4800 = 2, "v27-4800";
        /// V.29 7200 bit/s.
        V29_7200 = 3, "v29-7200";
        /// V.29 9600 bit/s.
        V29_9600 = 4, "v29-9600";
        /// V.17 7200 bit/s.
        V17_7200 = 5, "v17-7200";
        /// V.17 9600 bit/s.
        V17_9600 = 6, "v17-9600";
        /// V.17 12000 bit/s.
        V17_12000 = 7, "v17-12000";
        /// V.17 14400 bit/s.
        V17_14400 = 8, "v17-14400";
        /// V.8 (version 1+).
        V8 = 9, "v8";
        /// V.34 primary channel rate (version 1+).
        V34PriRate = 10, "v34-pri-rate";
        /// V.34 control channel at 1200 bit/s (version 1+).
        V34Cc1200 = 11, "v34-CC-1200";
        /// V.34 primary channel (version 1+).
        V34PriCh = 12, "v34-pri-ch";
        /// V.33 12000 bit/s (version 1+).
        V33_12000 = 13, "v33-12000";
        /// V.33 14400 bit/s (version 1+).
        V33_14400 = 14, "v33-14400";
    }
}

t38_enum! {
    /// `field-type` of one `data-field` entry (fax-t38.md §5.1).
    FieldType, "field-type", root = 8 {
        /// HDLC frame octets (T.30 bit order, fax-t38.md §3), FCS not included.
        HdlcData = 0, "hdlc-data";
        /// The HDLC carrier stopped.
        HdlcSigEnd = 1, "hdlc-sig-end";
        /// The frame ended with a good FCS.
        HdlcFcsOk = 2, "hdlc-fcs-OK";
        /// The frame ended with a bad FCS.
        HdlcFcsBad = 3, "hdlc-fcs-BAD";
        /// Good FCS, and the carrier stopped.
        HdlcFcsOkSigEnd = 4, "hdlc-fcs-OK-sig-end";
        /// Bad FCS, and the carrier stopped.
        HdlcFcsBadSigEnd = 5, "hdlc-fcs-BAD-sig-end";
        /// Non-ECM T.4 image data.
        T4NonEcmData = 6, "t4-non-ecm-data";
        /// Non-ECM T.4 data ended with the carrier.
        T4NonEcmSigEnd = 7, "t4-non-ecm-sig-end";
        /// V.8 CM message (version 1+).
        CmMessage = 8, "cm-message";
        /// V.8 JM message (version 1+).
        JmMessage = 9, "jm-message";
        /// V.8 CI message (version 1+).
        CiMessage = 10, "ci-message";
        /// V.34 rate (version 1+).
        V34Rate = 11, "v34rate";
    }
}

/// `Type-of-msg`: an indicator, or the modulation of a data packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeOfMsg {
    /// `t30-indicator`.
    T30Indicator(Indicator),
    /// `t30-data`.
    Data(DataRate),
}

/// One entry of `data-field`.
///
/// `field-data` is `OCTET STRING (SIZE (1..65535)) OPTIONAL`, so an empty
/// `data` means "no field-data" and non-empty data is sent as is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DataField {
    /// What the entry says.
    pub field_type: FieldType,
    /// The octets; empty = `field-data` absent. At most 65535.
    pub data: Vec<u8>,
}

impl DataField {
    /// Largest `field-data` (T.38 ASN.1 `SIZE (1..65535)`).
    pub const MAX_DATA: usize = 65535;

    /// An entry carrying `data`.
    pub fn new(field_type: FieldType, data: impl Into<Vec<u8>>) -> DataField {
        DataField {
            field_type,
            data: data.into(),
        }
    }

    /// An entry without `field-data` (for example `hdlc-fcs-OK`).
    pub fn marker(field_type: FieldType) -> DataField {
        DataField {
            field_type,
            data: Vec::new(),
        }
    }
}

/// One T.38 `IFPPacket`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IfpPacket {
    /// Indicator or data.
    pub type_of_msg: TypeOfMsg,
    /// The optional `data-field`. Normally present only on data packets,
    /// but the ASN.1 allows it on indicators too, so this type does.
    pub data_field: Option<Vec<DataField>>,
}

impl IfpPacket {
    /// An indicator packet without data field.
    pub fn indicator(indicator: Indicator) -> IfpPacket {
        IfpPacket {
            type_of_msg: TypeOfMsg::T30Indicator(indicator),
            data_field: None,
        }
    }

    /// A data packet with these entries.
    pub fn data(rate: DataRate, fields: Vec<DataField>) -> IfpPacket {
        IfpPacket {
            type_of_msg: TypeOfMsg::Data(rate),
            data_field: Some(fields),
        }
    }

    /// Decodes one IFP packet that fills `bytes` exactly.
    pub fn parse(bytes: &[u8], version: T38Version) -> Result<IfpPacket, Error> {
        let mut r = BitReader::new(bytes);
        let packet = read_ifp(&mut r, version)?;
        r.finish("IFP packet")?;
        Ok(packet)
    }

    /// Octets that [`emit`](Self::emit) will write, or why it cannot.
    pub fn buffer_len(&self, version: T38Version) -> Result<usize, Error> {
        per::measure(|w| write_ifp(w, self, version))
    }

    /// Encodes into the front of `buf`; returns the number of octets written.
    pub fn emit(&self, version: T38Version, buf: &mut [u8]) -> Result<usize, Error> {
        per::emit_with(buf, |w| write_ifp(w, self, version))
    }

    /// Encodes into a new vector.
    pub fn to_bytes(&self, version: T38Version) -> Result<Vec<u8>, Error> {
        let mut out = vec![0; self.buffer_len(version)?];
        let n = self.emit(version, &mut out)?;
        out.truncate(n);
        Ok(out)
    }
}

/// Reads an extensible ENUMERATED (X.691 §13.2-13.3): the extension bit,
/// then either the root index in `root_bits` bits or a normally small
/// number (0 + 6 bits) for the extension index. Returns the full index.
fn read_extensible_enum(
    r: &mut BitReader<'_>,
    root_bits: u32,
    root_count: u32,
    what: &'static str,
) -> Result<u32, Error> {
    let at = r.offset();
    if !r.bit(what)? {
        let value = r.bits(root_bits, what)?;
        if value >= root_count {
            return Err(Error::UnknownValue {
                what,
                value,
                offset: at,
            });
        }
        return Ok(value);
    }
    if r.bit(what)? {
        // Extension index >= 64: none is defined.
        return Err(Error::UnsupportedEncoding { what, offset: at });
    }
    Ok(root_count + r.bits(6, what)?)
}

fn write_extensible_enum(w: &mut BitWriter<'_>, root_bits: u32, root_count: u32, value: u32) {
    if value < root_count {
        w.bit(false);
        w.bits(value, root_bits);
    } else {
        w.bit(true);
        w.bit(false);
        w.bits(value - root_count, 6);
    }
}

/// Maps a decoded index to the enum value, checking the version.
fn lookup<T: Copy>(
    value: u32,
    from_value: fn(u8) -> Option<T>,
    min_version: fn(T) -> T38Version,
    name: fn(T) -> &'static str,
    what: &'static str,
    version: T38Version,
    offset: usize,
) -> Result<T, Error> {
    let item = u8::try_from(value)
        .ok()
        .and_then(from_value)
        .ok_or(Error::UnknownValue { what, value, offset })?;
    check_version(min_version(item), name(item), version)?;
    Ok(item)
}

fn check_version(needs: T38Version, what: &'static str, version: T38Version) -> Result<(), Error> {
    if needs > version {
        Err(Error::NotInVersion {
            what,
            version: version.number(),
            needs: needs.number(),
        })
    } else {
        Ok(())
    }
}

fn read_ifp(r: &mut BitReader<'_>, version: T38Version) -> Result<IfpPacket, Error> {
    let has_data_field = r.bit("IFP data-field presence bit")?;
    let is_data = r.bit("IFP type-of-msg choice")?;
    let at = r.offset();
    let type_of_msg = if is_data {
        let v = read_extensible_enum(r, 4, DataRate::ROOT, DataRate::ASN_NAME)?;
        TypeOfMsg::Data(lookup(
            v,
            DataRate::from_value,
            DataRate::min_version,
            DataRate::name,
            DataRate::ASN_NAME,
            version,
            at,
        )?)
    } else {
        let v = read_extensible_enum(r, 4, Indicator::ROOT, Indicator::ASN_NAME)?;
        TypeOfMsg::T30Indicator(lookup(
            v,
            Indicator::from_value,
            Indicator::min_version,
            Indicator::name,
            Indicator::ASN_NAME,
            version,
            at,
        )?)
    };
    let data_field = if has_data_field {
        Some(per::read_sequence_of(r, "data-field count", |r| {
            read_field(r, version)
        })?)
    } else {
        None
    };
    Ok(IfpPacket {
        type_of_msg,
        data_field,
    })
}

fn read_field(r: &mut BitReader<'_>, version: T38Version) -> Result<DataField, Error> {
    let has_data = r.bit("field-data presence bit")?;
    let at = r.offset();
    let value = if version.extended() {
        read_extensible_enum(r, 3, FieldType::ROOT, FieldType::ASN_NAME)?
    } else {
        r.bits(3, FieldType::ASN_NAME)?
    };
    let field_type = lookup(
        value,
        FieldType::from_value,
        FieldType::min_version,
        FieldType::name,
        FieldType::ASN_NAME,
        version,
        at,
    )?;
    let data = if has_data {
        r.align();
        let len = r.bits(16, "field-data length")? as usize + 1;
        r.octets(len, "field-data")?.to_vec()
    } else {
        Vec::new()
    };
    Ok(DataField { field_type, data })
}

fn write_ifp(w: &mut BitWriter<'_>, p: &IfpPacket, version: T38Version) -> Result<(), Error> {
    w.bit(p.data_field.is_some());
    match p.type_of_msg {
        TypeOfMsg::T30Indicator(ind) => {
            check_version(ind.min_version(), ind.name(), version)?;
            w.bit(false);
            write_extensible_enum(w, 4, Indicator::ROOT, u32::from(ind.value()));
        }
        TypeOfMsg::Data(rate) => {
            check_version(rate.min_version(), rate.name(), version)?;
            w.bit(true);
            write_extensible_enum(w, 4, DataRate::ROOT, u32::from(rate.value()));
        }
    }
    if let Some(fields) = &p.data_field {
        per::write_sequence_of(w, fields, |w, f| write_field(w, f, version))?;
    }
    w.align();
    Ok(())
}

fn write_field(w: &mut BitWriter<'_>, f: &DataField, version: T38Version) -> Result<(), Error> {
    check_version(f.field_type.min_version(), f.field_type.name(), version)?;
    if f.data.len() > DataField::MAX_DATA {
        return Err(Error::TooLong {
            what: "field-data",
            len: f.data.len(),
            max: DataField::MAX_DATA,
        });
    }
    w.bit(!f.data.is_empty());
    let value = u32::from(f.field_type.value());
    if version.extended() {
        write_extensible_enum(w, 3, FieldType::ROOT, value);
    } else {
        w.bits(value, 3);
    }
    if !f.data.is_empty() {
        w.align();
        w.bits(f.data.len() as u32 - 1, 16);
        w.octets(&f.data);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const V0: T38Version = T38Version::V0;
    const V1: T38Version = T38Version::V1;

    #[test]
    fn indicators_encode_as_in_the_spec_examples() {
        // fax-t38.md §5.2 examples.
        let cases: [(Indicator, T38Version, &[u8]); 6] = [
            (Indicator::Cng, V0, &[0x02]),
            (Indicator::Ced, V0, &[0x04]),
            (Indicator::V21Preamble, V0, &[0x06]),
            (Indicator::V17_14400LongTraining, V0, &[0x1E]),
            (Indicator::V8Ansam, V1, &[0x20, 0x00]),
            (Indicator::V33_14400Training, V1, &[0x21, 0x80]),
        ];
        for (ind, version, bytes) in cases {
            let p = IfpPacket::indicator(ind);
            assert_eq!(p.to_bytes(version).unwrap(), bytes, "{ind}");
            assert_eq!(IfpPacket::parse(bytes, version).unwrap(), p, "{ind}");
        }
    }

    #[test]
    fn data_type_octet_matches_spec_examples() {
        let p = IfpPacket::data(
            DataRate::V17_14400,
            vec![DataField::new(FieldType::T4NonEcmData, [0u8; 3])],
        );
        assert_eq!(p.to_bytes(V0).unwrap()[0], 0xD0);
        let p = IfpPacket::data(DataRate::V21, vec![DataField::new(FieldType::HdlcData, [0xFF])]);
        assert_eq!(p.to_bytes(V0).unwrap()[0], 0xC0);
        // Extended data type: 0x6000 + 0x8000 (fields) + (type - 9) << 6.
        let p = IfpPacket::data(DataRate::V33_14400, vec![]);
        assert_eq!(&p.to_bytes(V1).unwrap()[..2], &[0xE1, 0x40]);
    }

    #[test]
    fn hdlc_frame_with_fcs_ok_sig_end_differs_only_in_field_type_bits() {
        let p = IfpPacket::data(
            DataRate::V21,
            vec![
                DataField::new(FieldType::HdlcData, [0xFF, 0xC8, 0x21]),
                DataField::marker(FieldType::HdlcFcsOkSigEnd),
            ],
        );
        let v0 = [0xC0, 0x02, 0x80, 0x00, 0x02, 0xFF, 0xC8, 0x21, 0x40];
        let v1 = [0xC0, 0x02, 0x80, 0x00, 0x02, 0xFF, 0xC8, 0x21, 0x20];
        assert_eq!(p.to_bytes(V0).unwrap(), v0);
        assert_eq!(p.to_bytes(V1).unwrap(), v1);
        assert_eq!(IfpPacket::parse(&v0, V0).unwrap(), p);
        assert_eq!(IfpPacket::parse(&v1, V1).unwrap(), p);
    }

    #[test]
    fn entries_without_data_share_an_octet_in_version_0() {
        // 0 010 | 0 001 = hdlc-fcs-OK, hdlc-sig-end in one octet.
        let p = IfpPacket::data(
            DataRate::V21,
            vec![
                DataField::marker(FieldType::HdlcFcsOk),
                DataField::marker(FieldType::HdlcSigEnd),
            ],
        );
        assert_eq!(p.to_bytes(V0).unwrap(), [0xC0, 0x02, 0x21]);
        // Version 1: 0 0 010 | 0 0 001 -> 10 bits.
        assert_eq!(p.to_bytes(V1).unwrap(), [0xC0, 0x02, 0x10, 0x40]);
        assert_eq!(IfpPacket::parse(&[0xC0, 0x02, 0x21], V0).unwrap(), p);
        assert_eq!(IfpPacket::parse(&[0xC0, 0x02, 0x10, 0x40], V1).unwrap(), p);
    }

    #[test]
    fn extended_field_type_uses_normally_small_number() {
        let p = IfpPacket::data(DataRate::V8, vec![DataField::new(FieldType::CiMessage, [0xC1])]);
        // Data type v8: E0 00; count 01; entry: presence 1, extension 1,
        // small-number flag 0, index 10 - 8 = 2 in 6 bits -> 1100 0001 | 0...
        let bytes = p.to_bytes(V1).unwrap();
        assert_eq!(bytes, [0xE0, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0xC1]);
        assert_eq!(IfpPacket::parse(&bytes, V1).unwrap(), p);
    }

    #[test]
    fn extension_values_are_refused_in_version_0() {
        assert_eq!(
            IfpPacket::indicator(Indicator::V8Ansam).to_bytes(V0),
            Err(Error::NotInVersion {
                what: "v8-ansam",
                version: 0,
                needs: 1
            })
        );
        assert_eq!(
            IfpPacket::parse(&[0x20, 0x00], V0),
            Err(Error::NotInVersion {
                what: "v8-ansam",
                version: 0,
                needs: 1
            })
        );
        let p = IfpPacket::data(DataRate::V21, vec![DataField::marker(FieldType::V34Rate)]);
        assert!(matches!(
            p.to_bytes(V0),
            Err(Error::NotInVersion { what: "v34rate", .. })
        ));
    }

    #[test]
    fn bad_input_names_the_element_and_offset() {
        assert_eq!(
            IfpPacket::parse(&[], V0),
            Err(Error::Truncated {
                what: "IFP data-field presence bit",
                offset: 0
            })
        );
        // Root data index 9 is not defined (only 0..=8).
        assert_eq!(
            IfpPacket::parse(&[0x52], V0),
            Err(Error::UnknownValue {
                what: "t30-data",
                value: 9,
                offset: 0
            })
        );
        // Extension indicator index 16 + 40 does not exist.
        assert!(matches!(
            IfpPacket::parse(&[0x2A, 0x00], V1),
            Err(Error::UnknownValue {
                what: "t30-indicator",
                value: 56,
                ..
            })
        ));
        // field-data length says 3 octets, 1 present.
        assert_eq!(
            IfpPacket::parse(&[0xC0, 0x01, 0x80, 0x00, 0x02, 0xAA], V0),
            Err(Error::Truncated {
                what: "field-data",
                offset: 5
            })
        );
        assert_eq!(
            IfpPacket::parse(&[0x02, 0x00], V0),
            Err(Error::TrailingBytes {
                what: "IFP packet",
                count: 1,
                offset: 1
            })
        );
        // Extension index >= 64.
        assert!(matches!(
            IfpPacket::parse(&[0x30, 0x00], V1),
            Err(Error::UnsupportedEncoding {
                what: "t30-indicator",
                ..
            })
        ));
    }

    #[test]
    fn oversized_field_data_is_refused_on_emit() {
        let p = IfpPacket::data(
            DataRate::V17_14400,
            vec![DataField::new(FieldType::T4NonEcmData, vec![0; 65536])],
        );
        assert_eq!(
            p.to_bytes(V0),
            Err(Error::TooLong {
                what: "field-data",
                len: 65536,
                max: 65535
            })
        );
        let ok = IfpPacket::data(
            DataRate::V17_14400,
            vec![DataField::new(FieldType::T4NonEcmData, vec![7; 65535])],
        );
        assert_eq!(IfpPacket::parse(&ok.to_bytes(V0).unwrap(), V0).unwrap(), ok);
    }

    #[test]
    fn many_entries_use_two_octet_and_fragmented_counts() {
        for n in [127usize, 128, 16383, 16384, 20000] {
            let fields = (0..n).map(|i| DataField::marker(FieldType::ALL[i % 8])).collect();
            let p = IfpPacket::data(DataRate::V29_9600, fields);
            for version in [V0, V1] {
                let bytes = p.to_bytes(version).unwrap();
                assert_eq!(IfpPacket::parse(&bytes, version).unwrap(), p, "{n} {version}");
            }
        }
    }

    #[test]
    fn emit_into_short_buffer_is_refused() {
        let p = IfpPacket::data(DataRate::V21, vec![DataField::new(FieldType::HdlcData, [1, 2])]);
        let mut buf = [0u8; 4];
        assert_eq!(
            p.emit(V0, &mut buf),
            Err(Error::BufferTooSmall { needed: 7, got: 4 })
        );
    }

    #[test]
    fn version_numbers_map_both_ways() {
        for v in T38Version::ALL {
            assert_eq!(T38Version::from_number(v.number()).unwrap(), v);
        }
        assert_eq!(T38Version::from_number(4), Err(Error::UnsupportedVersion(4)));
    }

    fn version() -> impl Strategy<Value = T38Version> {
        prop::sample::select(T38Version::ALL.to_vec())
    }

    fn field(version: T38Version) -> impl Strategy<Value = DataField> {
        let types: Vec<FieldType> = FieldType::ALL
            .iter()
            .copied()
            .filter(|t| t.min_version() <= version)
            .collect();
        (
            prop::sample::select(types),
            prop::collection::vec(any::<u8>(), 0..40),
        )
            .prop_map(|(field_type, data)| DataField { field_type, data })
    }

    fn packet() -> impl Strategy<Value = (T38Version, IfpPacket)> {
        version().prop_flat_map(|version| {
            let indicators: Vec<Indicator> = Indicator::ALL
                .iter()
                .copied()
                .filter(|i| i.min_version() <= version)
                .collect();
            let rates: Vec<DataRate> = DataRate::ALL
                .iter()
                .copied()
                .filter(|r| r.min_version() <= version)
                .collect();
            let type_of_msg = prop_oneof![
                prop::sample::select(indicators).prop_map(TypeOfMsg::T30Indicator),
                prop::sample::select(rates).prop_map(TypeOfMsg::Data),
            ];
            (
                Just(version),
                type_of_msg,
                prop::option::of(prop::collection::vec(field(version), 0..6)),
            )
                .prop_map(|(version, type_of_msg, data_field)| {
                    (
                        version,
                        IfpPacket {
                            type_of_msg,
                            data_field,
                        },
                    )
                })
        })
    }

    proptest! {
        #[test]
        fn emit_then_parse_returns_the_packet((version, p) in packet()) {
            let bytes = p.to_bytes(version).unwrap();
            prop_assert_eq!(bytes.len(), p.buffer_len(version).unwrap());
            prop_assert_eq!(IfpPacket::parse(&bytes, version).unwrap(), p);
        }

        #[test]
        fn parse_never_panics_and_reparses_what_it_accepts(
            bytes in prop::collection::vec(any::<u8>(), 0..64),
            version in version(),
        ) {
            if let Ok(p) = IfpPacket::parse(&bytes, version) {
                let again = p.to_bytes(version).unwrap();
                prop_assert_eq!(IfpPacket::parse(&again, version).unwrap(), p);
            }
        }
    }

    #[test]
    fn every_value_round_trips_in_every_version_that_has_it() {
        for version in T38Version::ALL {
            for &ind in Indicator::ALL.iter().filter(|i| i.min_version() <= version) {
                let p = IfpPacket::indicator(ind);
                assert_eq!(
                    IfpPacket::parse(&p.to_bytes(version).unwrap(), version).unwrap(),
                    p
                );
            }
            for &rate in DataRate::ALL.iter().filter(|r| r.min_version() <= version) {
                for &ft in FieldType::ALL.iter().filter(|t| t.min_version() <= version) {
                    let p = IfpPacket::data(
                        rate,
                        vec![DataField::marker(ft), DataField::new(ft, [0x55, 0xAA])],
                    );
                    let bytes = p.to_bytes(version).unwrap();
                    assert_eq!(IfpPacket::parse(&bytes, version).unwrap(), p, "{rate} {ft}");
                }
            }
        }
    }
}
