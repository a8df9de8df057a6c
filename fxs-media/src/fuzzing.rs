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
