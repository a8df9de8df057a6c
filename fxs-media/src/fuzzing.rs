//! Entry points of the fuzz targets in `fuzz/`. Public (and hidden from the
//! docs) so that the normal test suite replays each corpus through exactly the
//! code the fuzzer runs. Not a stable API.

use std::time::{Duration, Instant};

use crate::{Error, FRAME_SAMPLES, MediaConfig, MediaStream, rtp};

/// The `rtp_packet` target: parse; whatever parses must write and parse back
/// to the same packet, and must be accepted by a stream expecting its payload
/// type (and by one expecting another), which then plays frames without
/// trouble. Panics only if one of those properties is broken. Returns the
/// parse result.
pub fn rtp_packet(data: &[u8]) -> Result<(), Error> {
    let (header, payload) = rtp::parse(data)?;
    let mut rewritten = Vec::new();
    rtp::write(&header, payload, &mut rewritten);
    let (again, again_payload) = rtp::parse(&rewritten).expect("a written packet parses");
    assert_eq!(again, header);
    assert_eq!(again_payload, payload);

    for payload_type in [header.payload_type, 0] {
        let config = MediaConfig {
            payload_type,
            ..MediaConfig::default()
        };
        let mut stream = MediaStream::new(config).expect("valid configuration");
        let now = Instant::now();
        stream
            .handle_rtp(now, data)
            .expect("a packet that parses is accepted");
        stream
            .handle_rtp(now + Duration::from_millis(20), data)
            .expect("a packet that parses is accepted");
        let mut frame = [0i16; FRAME_SAMPLES];
        for _ in 0..10 {
            stream.poll_pcm(&mut frame);
        }
        let _ = stream.stats();
    }
    Ok(())
}

/// The `rtcp_packet` target: parse a compound; whatever parses must build
/// and parse back to the same packets, and must be accepted by a stream,
/// whose next report must parse. Panics only if one of those properties is
/// broken. Returns the parse result.
pub fn rtcp_packet(data: &[u8]) -> Result<(), Error> {
    let packets = crate::rtcp::parse_compound(data)?;
    let mut rebuilt = Vec::new();
    crate::rtcp::write_compound(&packets, &mut rebuilt);
    let again = crate::rtcp::parse_compound(&rebuilt).expect("a built compound parses");
    assert_eq!(again, packets);

    let mut stream = MediaStream::new(MediaConfig::default()).expect("valid configuration");
    let now = Instant::now();
    stream
        .handle_rtcp(now, data)
        .expect("a compound that parses is accepted");
    stream.send_bye(now + Duration::from_secs(1));
    let mut report = Vec::new();
    assert!(stream.poll_rtcp(&mut report));
    crate::rtcp::parse_compound(&report).expect("our own report parses");
    let _ = stream.stats();
    Ok(())
}

/// The `telephone_event` target: parse an RFC 4733 payload; whatever
/// parses must write back to the same octets (R bit aside), and a receiver
/// fed with it (under a few timestamps and markers) and a stream receiving
/// it as RTP must not panic. Returns the parse result.
pub fn telephone_event(data: &[u8]) -> Result<(), Error> {
    use crate::telephone_event::{EventReceiver, EventReceiverConfig, parse_payload, write_payload};

    let reports: Vec<_> = parse_payload(data)?.collect();
    let mut rewritten = Vec::new();
    write_payload(&reports, &mut rewritten);
    let masked: Vec<u8> = data
        .iter()
        .enumerate()
        .map(|(i, &b)| if i % 4 == 1 { b & 0xBF } else { b })
        .collect();
    assert_eq!(rewritten, masked);

    let mut receiver = EventReceiver::new(EventReceiverConfig::default());
    for (k, timestamp) in [0u32, 0, 160, u32::MAX].into_iter().enumerate() {
        let now = Duration::from_millis(40 * k as u64);
        receiver
            .handle_packet(now, 7, timestamp, k == 0, data)
            .expect("a payload that parses is accepted");
        while receiver.poll_event().is_some() {}
    }
    receiver.handle_timeout(Duration::from_secs(5));
    while receiver.poll_event().is_some() {}

    let config = MediaConfig {
        telephone_event_payload_type: Some(101),
        ..MediaConfig::default()
    };
    let mut stream = MediaStream::new(config).expect("valid configuration");
    let header = rtp::RtpHeader {
        payload_type: 101,
        marker: true,
        ssrc: 7,
        ..rtp::RtpHeader::default()
    };
    let mut packet = Vec::new();
    rtp::write(&header, data, &mut packet);
    let now = Instant::now();
    stream
        .handle_rtp(now, &packet)
        .expect("a valid event packet is accepted");
    let mut frame = [0i16; FRAME_SAMPLES];
    for _ in 0..30 {
        stream.poll_pcm(&mut frame);
    }
    while stream.poll_event().is_some() {}
    Ok(())
}

/// The `comfort_noise` target: parse an RFC 3389 payload; whatever parses
/// must write back to the same octets, drive the generator to finite
/// samples, and be accepted by a stream as a CN packet. Returns the parse
/// result.
pub fn comfort_noise(data: &[u8]) -> Result<(), Error> {
    use crate::cng::{CnGenerator, ComfortNoise};

    let cn = ComfortNoise::parse(data)?;
    let mut rewritten = Vec::new();
    cn.write(&mut rewritten);
    assert_eq!(rewritten, data);

    let mut generator = CnGenerator::new();
    generator.set(&cn);
    let mut frame = [0i16; FRAME_SAMPLES];
    for _ in 0..10 {
        generator.generate(&mut frame);
    }
    assert!(generator.target_rms().is_finite());

    let config = MediaConfig {
        comfort_noise_payload_type: Some(13),
        ..MediaConfig::default()
    };
    let mut stream = MediaStream::new(config).expect("valid configuration");
    let header = rtp::RtpHeader {
        payload_type: 13,
        ssrc: 9,
        ..rtp::RtpHeader::default()
    };
    let mut packet = Vec::new();
    rtp::write(&header, data, &mut packet);
    stream
        .handle_rtp(Instant::now(), &packet)
        .expect("a valid CN packet is accepted");
    for _ in 0..10 {
        stream.poll_pcm(&mut frame);
    }
    Ok(())
}
