//! Staffing (seed 003, "factores de dotación de personal"): how many agents an hour needs
//! so that a share of the arrivals is answered within a target wait, by Erlang C (an M/M/N
//! queue: Poisson arrivals, exponential handling, nobody gives up).
//!
//! Traffic A = arrivals per hour × handling hours per arrival (erlangs). With N > A agents
//! the probability of waiting is Erlang C, computed through the Erlang B recursion (stable
//! for large N): B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), C = N·B / (N − A·(1 − B)).
//! The share answered within t is 1 − C·e^(−(N−A)·t/AHT).

use serde::Serialize;

/// The probability an arrival waits, with `agents` agents and `traffic` erlangs; 1 when
/// the agents cannot keep up (N ≤ A).
pub fn erlang_c(traffic: f64, agents: u32) -> f64 {
    if traffic <= 0.0 {
        return 0.0;
    }
    let n = f64::from(agents);
    if n <= traffic {
        return 1.0;
    }
    let mut b = 1.0;
    for k in 1..=agents {
        b = traffic * b / (f64::from(k) + traffic * b);
    }
    n * b / (n - traffic * (1.0 - b))
}

/// The share of arrivals answered within `target_secs`, with average handling time
/// `aht_secs`.
pub fn service_level(traffic: f64, agents: u32, aht_secs: f64, target_secs: f64) -> f64 {
    if traffic <= 0.0 {
        return 1.0;
    }
    let n = f64::from(agents);
    if n <= traffic || aht_secs <= 0.0 {
        return 0.0;
    }
    1.0 - erlang_c(traffic, agents) * (-(n - traffic) * target_secs / aht_secs).exp()
}

/// One hour's staffing answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Staffing {
    /// Offered traffic in erlangs.
    pub traffic: f64,
    /// The fewest agents that reach the target (0 when nothing arrives).
    pub agents: u32,
    /// The probability of waiting with that many agents.
    pub probability_of_waiting: f64,
    /// The share answered within the target with that many agents.
    pub service_level: f64,
    /// The average wait in seconds with that many agents.
    pub average_speed_of_answer_secs: f64,
    /// Agent occupancy (traffic / agents).
    pub occupancy: f64,
}

/// The fewest agents so that at least `target_share` (0..1) of `arrivals_per_hour` arrivals
/// with average handling time `aht_secs` are answered within `target_secs`.
pub fn agents_needed(
    arrivals_per_hour: f64,
    aht_secs: f64,
    target_secs: f64,
    target_share: f64,
) -> Staffing {
    let traffic = (arrivals_per_hour * aht_secs / 3600.0).max(0.0);
    if traffic == 0.0 {
        return Staffing {
            traffic,
            agents: 0,
            probability_of_waiting: 0.0,
            service_level: 1.0,
            average_speed_of_answer_secs: 0.0,
            occupancy: 0.0,
        };
    }
    // The first N above the traffic; the answer is at most a few hundred agents more.
    let mut n = (traffic.floor() as u32).saturating_add(1);
    let limit = n.saturating_add(10_000);
    while n < limit && service_level(traffic, n, aht_secs, target_secs) < target_share {
        n += 1;
    }
    let pw = erlang_c(traffic, n);
    Staffing {
        traffic,
        agents: n,
        probability_of_waiting: pw,
        service_level: service_level(traffic, n, aht_secs, target_secs),
        average_speed_of_answer_secs: pw * aht_secs / (f64::from(n) - traffic),
        occupancy: traffic / f64::from(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
    /// (https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm): 100 calls in
    /// 30 minutes, average handling time 180 s, target 80 % answered within 20 s. Traffic
    /// 10 erlangs; with 11 agents the probability of waiting is 68.21 % and the service
    /// level 39 %; 14 agents are needed (13 give 79.6 %), before shrinkage.
    #[test]
    fn call_centre_helper_worked_example() {
        let traffic = 200.0 * 180.0 / 3600.0;
        assert!(close(traffic, 10.0, 1e-9));
        assert!(close(erlang_c(traffic, 11), 0.6821, 0.0001));
        assert!(close(
            service_level(traffic, 11, 180.0, 20.0),
            0.3896,
            0.0005
        ));
        assert!(service_level(traffic, 13, 180.0, 20.0) < 0.80);
        let s = agents_needed(200.0, 180.0, 20.0, 0.80);
        assert_eq!(s.agents, 14);
        assert!(close(s.service_level, 0.8884, 0.0005), "{s:?}");
        assert!(close(s.average_speed_of_answer_secs, 7.8, 0.05), "{s:?}");
    }

    /// The Erlang C page of Mitan / Westbay (https://www.mitan.co.uk/erlang/elgcmath.htm):
    /// 360 calls per half hour, 4-minute calls, 55 agents, 15 s target: 48 erlangs,
    /// probability of waiting 0.2387, average speed of answer 8.2 s, service level 84.6 %.
    #[test]
    fn mitan_worked_example() {
        let traffic = 720.0 * 240.0 / 3600.0;
        assert!(close(traffic, 48.0, 1e-9));
        assert!(close(erlang_c(traffic, 55), 0.2387, 0.0001));
        let asa = erlang_c(traffic, 55) * 240.0 / (55.0 - traffic);
        assert!(close(asa, 8.2, 0.05));
        assert!(close(
            service_level(traffic, 55, 240.0, 15.0),
            0.846,
            0.0005
        ));
    }

    #[test]
    fn no_arrivals_need_no_agents_and_overload_never_meets_a_target() {
        assert_eq!(agents_needed(0.0, 300.0, 60.0, 0.8).agents, 0);
        assert!((erlang_c(5.0, 5) - 1.0).abs() < f64::EPSILON);
        assert!(service_level(5.0, 4, 300.0, 60.0).abs() < f64::EPSILON);
    }
}
