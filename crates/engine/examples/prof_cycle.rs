use decouple_engine::sqs::{CreateQueue, DeleteMessage, Receive, ReceiveMessage, SendMessage};
use decouple_engine::{Engine, EngineConfig};

#[inline(never)]
fn cycle(engine: &mut Engine, send: SendMessage, receive: ReceiveMessage, url: String) {
    let mut sqs = engine.sqs();
    sqs.send_message(send).unwrap();
    let Ok(Receive::Ready(mut got)) = sqs.receive_message(receive) else { panic!() };
    let m = got.messages.pop().unwrap();
    sqs.delete_message(DeleteMessage { queue_url: url, receipt_handle: m.receipt_handle }).unwrap();
}

#[inline(never)]
fn measured(engine: &mut Engine, send: SendMessage, receive: ReceiveMessage, url: String) {
    cycle(engine, send, receive, url)
}

fn main() {
    let n: usize = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(10_000);
    let mut engine = Engine::new(EngineConfig::default());
    let attributes = [("VisibilityTimeout".to_string(), "30".to_string())].into();
    let url = engine
        .sqs()
        .create_queue(CreateQueue { queue_name: "bench".into(), attributes, ..Default::default() })
        .unwrap()
        .queue_url;
    let body: String = (0..200).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let receive = ReceiveMessage { queue_url: url.clone(), max_number_of_messages: Some(1), ..Default::default() };
    let t = std::time::Instant::now();
    for i in 0..n {
        let send = SendMessage { queue_url: url.clone(), message_body: body.clone(), ..Default::default() };
        if i < 1000 {
            cycle(&mut engine, send, receive.clone(), url.clone());
        } else {
            measured(&mut engine, send, receive.clone(), url.clone());
        }
    }
    eprintln!("{:.1} ns/cycle", t.elapsed().as_nanos() as f64 / n as f64);
}
