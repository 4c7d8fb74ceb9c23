//! The simulator's own tests, over real HTTP on 127.0.0.1 with a raw client ([`http_client`]).

mod bill;
mod faults;
mod http;
mod http_client;
mod orgs;
mod page;
