//! RFC 3264 offer/answer for one audio stream.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use fxs_sip::sdp::{
    AudioCodecPref, AudioOffer, Direction, SessionDescription, accept_answer, answer_audio,
    answer_audio_with_origin,
};
use fxs_sip::{Error, StatusCode};

fn ours() -> AudioOffer {
    AudioOffer {
        address: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)),
        port: 40000,
        codecs: vec![
            AudioCodecPref::new("PCMU", 0, 8000),
            AudioCodecPref::new("PCMA", 8, 8000),
        ],
        telephone_event: Some(101),
        ptime: 20,
        direction: Direction::SendRecv,
    }
}

fn offer(media: &str) -> SessionDescription {
    let text = format!(
        "v=0\r\no=bob 2890844730 2890844730 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n{media}"
    );
    SessionDescription::parse(&text).unwrap()
}

#[test]
fn answer_takes_first_offered_codec_we_support_with_offerers_pt() {
    let o = offer(
        "m=audio 5004 RTP/AVP 18 8 0 96\r\na=rtpmap:18 G729/8000\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\n",
    );
    let (answer, neg) = answer_audio(&o, &ours()).unwrap();
    assert_eq!(neg.codec, AudioCodecPref::new("PCMA", 8, 8000));
    assert_eq!(neg.telephone_event, Some(96));
    assert_eq!(neg.remote, "198.51.100.7:5004".parse::<SocketAddr>().unwrap());
    assert_eq!(neg.ptime, 20);
    assert_eq!(neg.direction, Direction::SendRecv);
    let m = &answer.media[0];
    assert_eq!(m.port, 40000);
    assert_eq!(m.formats, vec!["8".to_string(), "96".to_string()]);
    assert_eq!(m.rtpmap(96).map(|r| r.encoding.as_str()), Some("telephone-event"));
    // the offerer's event list is echoed
    assert_eq!(m.fmtp(96).map(|f| f.parameters.as_str()), Some("0-15"));
    assert_eq!(m.ptime, Some(20));
    assert_eq!(answer.connection_for(m).unwrap().address, ours().address);
    assert_eq!(answer.origin.address, ours().address);
    // the answer survives the wire
    assert_eq!(SessionDescription::parse(&answer.to_string()).unwrap(), answer);
}

#[test]
fn dynamic_payload_type_and_case_of_encoding_name_are_honoured() {
    let o = offer("m=audio 5004 RTP/AVP 97 0\r\na=rtpmap:97 pcmu/8000\r\n");
    let (_, neg) = answer_audio(&o, &ours()).unwrap();
    assert_eq!(neg.codec.payload_type, 97);
    assert_eq!(neg.codec.name, "PCMU");
}

#[test]
fn clock_rate_must_match() {
    let o = offer("m=audio 5004 RTP/AVP 97 8\r\na=rtpmap:97 PCMU/16000\r\n");
    let (_, neg) = answer_audio(&o, &ours()).unwrap();
    assert_eq!(neg.codec.payload_type, 8);
}

#[test]
fn telephone_event_is_left_out_when_not_wanted_or_not_offered() {
    let o = offer("m=audio 5004 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n");
    let mut local = ours();
    local.telephone_event = None;
    let (answer, neg) = answer_audio(&o, &local).unwrap();
    assert_eq!(neg.telephone_event, None);
    assert_eq!(answer.media[0].formats, vec!["0".to_string()]);
    let o = offer("m=audio 5004 RTP/AVP 0\r\n");
    let (answer, neg) = answer_audio(&o, &ours()).unwrap();
    assert_eq!(neg.telephone_event, None);
    assert!(answer.media[0].fmtps.is_empty());
}

#[test]
fn answer_keeps_m_line_count_and_rejects_others_with_port_zero() {
    let o = offer(
        "m=video 6000 RTP/AVP 31\r\nm=audio 0 RTP/AVP 0\r\nm=audio 5004 RTP/AVP 0\r\nm=audio 5006 RTP/AVP 8\r\n",
    );
    let (answer, neg) = answer_audio(&o, &ours()).unwrap();
    assert_eq!(answer.media.len(), 4);
    let ports: Vec<u16> = answer.media.iter().map(|m| m.port).collect();
    assert_eq!(ports, vec![0, 0, 40000, 0]);
    assert_eq!(answer.media[0].kind, "video");
    assert_eq!(answer.media[0].formats, vec!["31".to_string()]);
    assert_eq!(neg.remote.port(), 5004);
}

#[test]
fn nothing_in_common_is_488() {
    let o = offer("m=audio 5004 RTP/AVP 18 9\r\na=rtpmap:18 G729/8000\r\n");
    let e = answer_audio(&o, &ours()).unwrap_err();
    assert!(matches!(e, Error::NotAcceptable(_)));
    assert_eq!(e.response_status().0, StatusCode::NOT_ACCEPTABLE_HERE);
    // a rejected or non-RTP audio stream is not acceptable either
    for media in [
        "m=audio 0 RTP/AVP 0\r\n",
        "m=audio 5004 RTP/SAVP 0\r\n",
        "m=image 5004 udptl t38\r\n",
    ] {
        assert!(answer_audio(&offer(media), &ours()).is_err(), "{media}");
    }
}

#[test]
fn hold_offers_give_directions_seen_from_us() {
    for (attr, want) in [
        ("a=sendonly\r\n", Direction::RecvOnly),
        ("a=recvonly\r\n", Direction::SendOnly),
        ("a=inactive\r\n", Direction::Inactive),
        ("", Direction::SendRecv),
    ] {
        let o = offer(&format!("m=audio 5004 RTP/AVP 0\r\n{attr}"));
        let (answer, neg) = answer_audio(&o, &ours()).unwrap();
        assert_eq!(neg.direction, want, "{attr}");
        assert_eq!(answer.media[0].direction, want, "{attr}");
    }
}

#[test]
fn legacy_hold_with_zero_address_means_do_not_send() {
    let mut o = offer("m=audio 5004 RTP/AVP 0\r\n");
    o.connection = Some(fxs_sip::sdp::Connection {
        address: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    });
    let (_, neg) = answer_audio(&o, &ours()).unwrap();
    assert_eq!(neg.direction, Direction::RecvOnly);
    assert!(neg.remote.ip().is_unspecified());
    o.media[0].direction = Direction::SendOnly;
    let (_, neg) = answer_audio(&o, &ours()).unwrap();
    assert_eq!(neg.direction, Direction::RecvOnly);
    o.media[0].direction = Direction::RecvOnly;
    let (_, neg) = answer_audio(&o, &ours()).unwrap();
    assert_eq!(neg.direction, Direction::Inactive);
}

#[test]
fn our_own_hold_limits_the_answer() {
    let mut local = ours();
    local.direction = Direction::SendOnly;
    let (_, neg) = answer_audio(&offer("m=audio 5004 RTP/AVP 0\r\n"), &local).unwrap();
    assert_eq!(neg.direction, Direction::SendOnly);
}

#[test]
fn peer_ptime_is_used_when_it_is_a_multiple_of_10() {
    let (_, neg) = answer_audio(&offer("m=audio 5004 RTP/AVP 0\r\na=ptime:30\r\n"), &ours()).unwrap();
    assert_eq!(neg.ptime, 30);
    let (_, neg) = answer_audio(&offer("m=audio 5004 RTP/AVP 0\r\na=ptime:25\r\n"), &ours()).unwrap();
    assert_eq!(neg.ptime, 20);
}

#[test]
fn media_level_ipv6_connection_gives_v6_remote() {
    let o = offer("m=audio 5004 RTP/AVP 0\r\nc=IN IP6 2001:db8::7\r\n");
    let (_, neg) = answer_audio(&o, &ours()).unwrap();
    assert_eq!(neg.remote, "[2001:db8::7]:5004".parse::<SocketAddr>().unwrap());
}

#[test]
fn stream_without_any_connection_is_not_acceptable() {
    let o = SessionDescription::parse(
        "v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\n",
    )
    .unwrap();
    assert!(matches!(answer_audio(&o, &ours()), Err(Error::NotAcceptable(_))));
}

#[test]
fn explicit_origin_is_used_in_the_answer() {
    let (answer, _) = answer_audio_with_origin(&offer("m=audio 5004 RTP/AVP 0\r\n"), &ours(), 77, 3).unwrap();
    assert_eq!((answer.origin.session_id, answer.origin.session_version), (77, 3));
}

#[test]
fn offer_sdp_lists_codecs_events_ptime_and_direction() {
    let sdp = ours().to_sdp(1234, 1);
    let text = sdp.to_string();
    for line in [
        "o=- 1234 1 IN IP4 192.0.2.10\r\n",
        "c=IN IP4 192.0.2.10\r\n",
        "t=0 0\r\n",
        "m=audio 40000 RTP/AVP 0 8 101\r\n",
        "a=rtpmap:0 PCMU/8000\r\n",
        "a=rtpmap:8 PCMA/8000\r\n",
        "a=rtpmap:101 telephone-event/8000\r\n",
        "a=fmtp:101 0-16\r\n",
        "a=ptime:20\r\n",
        "a=sendrecv\r\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in {text}");
    }
    assert_eq!(SessionDescription::parse(&text).unwrap(), sdp);
}

#[test]
fn offer_answer_between_two_of_our_user_agents_agrees() {
    let alice = ours();
    let mut bob = ours();
    bob.address = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 20));
    bob.port = 50000;
    bob.codecs.reverse();
    let offer = alice.to_sdp(1, 1);
    let (answer, bob_view) = answer_audio(&offer, &bob).unwrap();
    let alice_view = accept_answer(&answer, &alice).unwrap();
    assert_eq!(bob_view.codec, alice_view.codec);
    assert_eq!(alice_view.codec.name, "PCMU");
    assert_eq!(alice_view.remote, SocketAddr::new(bob.address, 50000));
    assert_eq!(bob_view.remote, SocketAddr::new(alice.address, 40000));
    assert_eq!(alice_view.telephone_event, Some(101));
}

#[test]
fn accept_answer_reads_codec_direction_and_events() {
    let answer = offer(
        "m=audio 7000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=recvonly\r\na=ptime:40\r\n",
    );
    let neg = accept_answer(&answer, &ours()).unwrap();
    assert_eq!(neg.codec, AudioCodecPref::new("PCMA", 8, 8000));
    assert_eq!(neg.telephone_event, Some(101));
    assert_eq!(neg.direction, Direction::SendOnly);
    assert_eq!(neg.ptime, 40);
    assert_eq!(neg.remote.port(), 7000);
    let mut no_events = ours();
    no_events.telephone_event = None;
    assert_eq!(accept_answer(&answer, &no_events).unwrap().telephone_event, None);
}

#[test]
fn accept_answer_refuses_rejected_stream_or_foreign_codec() {
    let rejected = offer("m=audio 0 RTP/AVP 0\r\n");
    assert!(matches!(
        accept_answer(&rejected, &ours()),
        Err(Error::NotAcceptable(_))
    ));
    let foreign = offer("m=audio 7000 RTP/AVP 18\r\n");
    assert!(matches!(
        accept_answer(&foreign, &ours()),
        Err(Error::NotAcceptable(_))
    ));
}
