//! The lesson: a guided sequence through the paper's story for a classroom, each step setting the lab up
//! (a preset or a config, playing or paused) and pointing at the view it discusses. Plain data, shown by
//! the page (`?lesson=N` links a step).

use serde::Serialize;

/// One step of the lesson.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct LessonStep {
    /// Short title.
    pub title: &'static str,
    /// What to read, two to four sentences.
    pub text: &'static str,
    /// The preset the step loads, if any.
    pub preset: Option<&'static str>,
    /// A partial config merged after the preset, if any (JSON).
    pub config: Option<&'static str>,
    /// Whether the lab plays during the step.
    pub play: bool,
    /// The speed the step sets, in steps per animation frame (the page's speed slider), so that a class can
    /// watch what the text describes; `None`: as fast as the page can.
    pub speed: Option<u32>,
    /// Steps to take at once before the step is shown (to show a later moment).
    pub advance: u64,
    /// What the step points at: the view "input", "feature", "charts" (the angle chart alone, large),
    /// "experiment", the "readout" or the "banners".
    pub focus: &'static str,
}

/// The steps, in order.
pub fn steps() -> Vec<LessonStep> {
    vec![
        LessonStep {
            title: "A decision boundary",
            text: "Two clouds of points, blue and orange. A small neural network learns to tell them apart: the shading shows which class it predicts where, the solid line is its decision boundary. Press Play and watch the boundary settle between the clouds.",
            preset: Some("blobs"),
            config: None,
            play: false,
            speed: Some(6),
            advance: 0,
            focus: "input",
        },
        LessonStep {
            title: "Training moves the boundary",
            text: "With every step of gradient descent on the cross-entropy loss, the network becomes more confident (stronger shading) and its boundary moves. Any line between the clouds would classify them perfectly — so which one does training pick?",
            preset: Some("blobs"),
            config: None,
            play: true,
            speed: Some(6),
            advance: 0,
            focus: "input",
        },
        LessonStep {
            title: "The feature space",
            text: "The network's last hidden layer maps every point to two numbers, h(x): this is the feature space, the view titled “Feature space”. There the classes are far apart and the last layer is just a straight line — a linear classifier on the features.",
            preset: Some("blobs"),
            config: None,
            play: false,
            speed: None,
            advance: 300,
            focus: "feature",
        },
        LessonStep {
            title: "The SVM and its margin",
            text: "The dashed line is a support vector machine fitted to the same features: the line with the widest margin (the thin dashed lines). The ringed points touch the margin — the support vectors. The paper's claim: the network's last layer turns into exactly this SVM.",
            preset: Some("blobs"),
            config: None,
            play: false,
            speed: None,
            advance: 2000,
            focus: "feature",
        },
        LessonStep {
            title: "The angle falls like 1/log t",
            text: "The angle chart measures the angle between the last layer and the SVM. It falls — but slowly: theory (Soudry et al. 2018) says like 1/log t, so each tenfold increase in steps buys less than the one before. The loss, meanwhile, falls like 1/t.",
            preset: Some("blobs"),
            config: None,
            play: true,
            speed: None,
            advance: 0,
            focus: "charts",
        },
        LessonStep {
            title: "Normalised gradient descent: much sooner",
            text: "Scale every step by the gradient's length and the same limit arrives far sooner: the angle drops below a degree within about a thousand steps. The direction is the same SVM; only the speed changed.",
            preset: Some("normalized_gd"),
            config: None,
            play: true,
            speed: None,
            advance: 0,
            focus: "charts",
        },
        LessonStep {
            title: "Counter-example: squared error",
            text: "Train the same network with squared error instead of cross-entropy. Its outputs stop growing once they fit the targets, and its last layer settles far from the SVM: the theorem is about cross-entropy.",
            preset: Some("mse"),
            config: None,
            play: true,
            speed: None,
            advance: 0,
            focus: "charts",
        },
        LessonStep {
            title: "Counter-example: overlapping classes",
            text: "Noisy moons that a small network cannot separate: the features stay overlapping, the banner above the views says the theorem does not apply, and the SVM shown is only a soft-margin compromise. The angle does not fall: it wanders between a few degrees and a few tens. That stall is the point here, not something to fix.",
            preset: Some("moons_overlap"),
            config: None,
            play: true,
            speed: None,
            advance: 0,
            focus: "banners",
        },
        LessonStep {
            title: "Retrain the last layer only: direction yes, bias no",
            text: "Freeze the hidden layers and retrain only the last layer from scratch: its direction still turns towards the SVM of the frozen features, but that SVM sits off-centre, and the retrained layer's offset climbs towards it. The tile beside it follows the same run with the whole network kept training: its offset falls towards the middle, 0. Training the whole network is what moves the bias to the middle — the paper's second result.",
            preset: Some("retrain_last_layer"),
            config: None,
            play: true,
            speed: None,
            advance: 0,
            focus: "readout",
        },
        LessonStep {
            title: "What it is for: adversarial examples",
            text: "The arrows show, for the test points nearest the boundary, the smallest move that changes the network's class. Once the network's boundary is the SVM's, an attacker has to cross the SVM's margin: the experiment chart shows the network's and the SVM's distances meeting, and that a point's distance to the SVM's boundary in the feature space predicts how far it sits from the network's boundary in the input.",
            preset: Some("adversarial_moons"),
            config: None,
            play: false,
            speed: None,
            advance: 5000,
            focus: "input",
        },
        LessonStep {
            title: "What it is for: forgetting",
            text: "This network learned the top two blobs, then the bottom two. Without a memory of the old classes it forgets them entirely. Rehearsing four old points helps — the experiment chart compares six memories of that size. SupportNet's, drawn among an RBF SVM's support vectors, keeps more than random points over 20 seeds; the linear SVM's support vectors, the points nearest the line between the two old classes, keep less than random points: they describe that line, not where the new classes cut.",
            preset: Some("forgetting_blobs"),
            config: None,
            play: false,
            speed: None,
            advance: 4000,
            focus: "experiment",
        },
        LessonStep {
            title: "Beyond small networks: convolutions",
            text: "The paper's claim is about real architectures: its figures use ResNets. This network sees the digits 0, 1 and 2 as images — two convolutions, each followed by pooling (the Network panel lists each layer's output shape; the gallery shows the filters it learns) — into the same two-dimensional feature space. Its last layer turns into the SVM there just the same, and the angle chart falls lower than the fully connected network's did.",
            preset: Some("digits_conv"),
            config: None,
            play: true,
            speed: None,
            advance: 0,
            focus: "feature",
        },
    ]
}
